/** The `llm` extractor: chunked note → OpenAI-compatible model (structured output) → validated, grounded, coded Findings. */
import { PermanentExtractionError, TransientExtractionError } from '../errors';
import type { ExtractInput, Extractor, Finding, Language } from '../finding';
import { detectLanguage } from '../rules/analysis';
import type { RulesResources } from '../rules/engine';
import { cacheKey, LruCache, type LlmCache } from './cache';
import { createLangChainChat, type ChatRequest, type LlmChat, type StructuredOutputMethod } from './chat-client';
import { chunkText, type ChunkOptions } from './chunking';
import { ConceptResolver } from './concept-resolver';
import { toExtractionError } from './error-mapping';
import { Limiter } from './limiter';
import { mergeFindings } from './merge';
import { buildSystemPrompt, buildUserMessage, PROMPT_VERSION, schemaVocabulary } from './prompt';
import { MalformedOutputError, modelOutputJsonSchema, parseModelOutput, type ModelFinding } from './schema';
import { toFindings } from './to-findings';

export const LLM_ENGINE_VERSION = '1.0.0';

export interface LlmExtractorOptions {
  /** OpenAI-compatible base URL (LLM_BASE_URL), e.g. `http://vllm:8000/v1`. The caller masks the text when it is not loopback. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** The compiled rules resources: coder, dictionary (re-coding from the quote) and units (UCUM normalisation). */
  resources: RulesResources;
  /** Per request (default 60 s). */
  timeoutMs?: number;
  /** Model requests in flight at once for this extractor, across notes and chunks (default 4). */
  maxConcurrency?: number;
  /** Extra attempts when the answer is not valid JSON of the schema (default 2), then PermanentExtractionError. */
  maxRetries?: number;
  /** Extra attempts after 429/5xx/timeouts/connection errors (default 2), then TransientExtractionError. */
  maxTransientRetries?: number;
  /** A Retry-After longer than this is not waited for here: the job queue reschedules instead (default 30 s). */
  maxRetryWaitMs?: number;
  chunkChars?: number;
  overlapChars?: number;
  /** Answers by sha256(model | prompt version | request); default a 1000-entry LRU, `null` disables caching. */
  cache?: LlmCache | null;
  method?: StructuredOutputMethod;
  /** Transport override (default: LangChain ChatOpenAI against `baseUrl`). */
  chat?: LlmChat;
  /** Injected so tests can observe backoff without waiting. */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULTS = { timeoutMs: 60_000, maxConcurrency: 4, maxRetries: 2, maxTransientRetries: 2, maxRetryWaitMs: 30_000, chunkChars: 6000, overlapChars: 500 };
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Report = (reason: string, count?: number) => void;

export class LlmExtractor implements Extractor {
  readonly name = 'llm';
  readonly version = LLM_ENGINE_VERSION;
  readonly promptVersion = PROMPT_VERSION;
  readonly model: string;
  private readonly system: string;
  private readonly chat: LlmChat;
  private readonly limiter: Limiter;
  private readonly cache: LlmCache | null;
  private readonly resolver: ConceptResolver;
  private readonly chunking: ChunkOptions;
  private readonly opts: typeof DEFAULTS & { sleep: (ms: number) => Promise<void> };

  constructor(private readonly o: LlmExtractorOptions) {
    this.model = o.model;
    this.opts = { ...DEFAULTS, ...definedOnly(o), sleep: o.sleep ?? realSleep };
    this.system = buildSystemPrompt(o.resources.mappings);
    this.chat = o.chat ?? createLangChainChat({
      baseUrl: o.baseUrl, model: o.model, timeoutMs: this.opts.timeoutMs, method: o.method ?? 'json_schema',
      schema: modelOutputJsonSchema(schemaVocabulary(o.resources.mappings)), ...(o.apiKey ? { apiKey: o.apiKey } : {}),
    });
    this.limiter = new Limiter(this.opts.maxConcurrency);
    this.cache = o.cache === undefined ? new LruCache() : o.cache;
    this.resolver = new ConceptResolver(o.resources.mappings, o.resources.dictionary);
    this.chunking = { chunkChars: this.opts.chunkChars, overlapChars: this.opts.overlapChars };
  }

  async extract(input: ExtractInput): Promise<Finding[]> {
    const text = input.text ?? '';
    if (!text.trim()) return [];
    const language = input.language ?? detectLanguage(text);
    const report: Report = (reason, count = 1) => input.diagnostics?.dropped(this.name, reason, count);
    const chunks = chunkText(text, this.chunking);
    const answers = await Promise.all(chunks.map((c) => this.answer(c.text, language, input.documentDate, report)));
    const ctx = { resources: this.o.resources, resolver: this.resolver, language, report };
    return mergeFindings(chunks.flatMap((c, i) => toFindings(answers[i], c, ctx)), this.o.resources.coder);
  }

  /** The validated answer for one chunk, from the cache or the model. */
  private async answer(chunk: string, language: Language, documentDate: string | undefined, report: Report): Promise<readonly ModelFinding[]> {
    const user = buildUserMessage(chunk, { language, ...(documentDate ? { documentDate } : {}) });
    const key = cacheKey(this.model, PROMPT_VERSION, user);
    const hit = this.cache?.get(key);
    if (hit) return hit;
    const parsed = await this.request({ system: this.system, user });
    if (parsed.invalid) report('invalid-output', parsed.invalid);
    this.cache?.set(key, parsed.findings);
    return parsed.findings;
  }

  /** One request with retries: malformed answers are asked again, rate limits and outages are waited out (bounded). */
  private async request(req: ChatRequest): Promise<ReturnType<typeof parseModelOutput>> {
    let malformed = 0;
    let transient = 0;
    for (;;) {
      try {
        const raw = await this.limiter.run(() => this.chat.complete(req));
        return parseModelOutput(raw);
      } catch (err) {
        // a 200 whose body is not JSON is a garbled answer too
        if (err instanceof MalformedOutputError || err instanceof SyntaxError) {
          if (++malformed > this.opts.maxRetries) throw new PermanentExtractionError(`LLM answer malformed ${malformed} times (${err instanceof SyntaxError ? 'unreadable response' : err.message})`);
          continue;
        }
        const e = toExtractionError(err);
        if (e instanceof PermanentExtractionError) throw e;
        const wait = e.retryAfterMs ?? Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** transient) * (1 + Math.random() * 0.25);
        if (++transient > this.opts.maxTransientRetries || wait > this.opts.maxRetryWaitMs) {
          throw new TransientExtractionError(`${e.message} (${transient} attempt${transient > 1 ? 's' : ''})`, e.retryAfterMs);
        }
        await this.opts.sleep(Math.round(wait));
      }
    }
  }
}

/** The options that are set, so `undefined` never overrides a default. */
function definedOnly(o: LlmExtractorOptions): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const k of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const v = o[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/** The LLM extractor; reuse one instance (it owns the cache and the concurrency bound). */
export function createLlmExtractor(opts: LlmExtractorOptions): LlmExtractor {
  return new LlmExtractor(opts);
}
