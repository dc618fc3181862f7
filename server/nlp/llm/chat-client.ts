/** The one place that talks to the model: LangChain's OpenAI chat-completions client with structured output. */
import { HumanMessage, SystemMessage, type AIMessage } from '@langchain/core/messages';
import { ChatOpenAICompletions } from '@langchain/openai';
import { LlmTimeoutError } from './error-mapping';

/** `json_schema`: response_format with the schema (OpenAI, vLLM, llama.cpp, recent Ollama); `function_calling`: a forced tool call. */
export type StructuredOutputMethod = 'json_schema' | 'function_calling';

export interface ChatRequest {
  system: string;
  user: string;
}

/** Sends one request and returns the model's raw answer: JSON text, or the parsed arguments of its tool call. */
export interface LlmChat {
  complete(request: ChatRequest): Promise<unknown>;
}

export interface LangChainChatOptions {
  /** OpenAI-compatible base URL, e.g. `http://vllm:8000/v1`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  method: StructuredOutputMethod;
  /** JSON schema of the answer. */
  schema: Record<string, unknown>;
}

const OUTPUT_NAME = 'record_findings';
/** Any of these set to "true" makes LangChain send every prompt (the note!) to LangSmith. */
const TRACING_ENV = ['LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2', 'LANGSMITH_TRACING', 'LANGCHAIN_TRACING'];

/** Refuses to start when LangChain tracing is on: note text must not leave the hospital network through telemetry. */
export function assertNoTracing(env: Record<string, string | undefined>): void {
  const on = TRACING_ENV.filter((k) => env[k] === 'true');
  if (on.length) throw new Error(`LangChain tracing (${on.join(', ')}) would send note text to LangSmith: unset it to use the llm engine`);
}

function contentText(msg: AIMessage): string | undefined {
  if (typeof msg.content === 'string') return msg.content;
  const parts = msg.content.map((p) => (typeof p === 'string' ? p : p.type === 'text' && typeof p.text === 'string' ? p.text : ''));
  return parts.join('') || undefined;
}

/** The answer wherever the server put it: a tool call (parsed or not), else the message content. */
function answerOf(msg: AIMessage): unknown {
  const call = msg.tool_calls?.[0];
  if (call) return call.args;
  const invalid = msg.invalid_tool_calls?.[0];
  if (invalid) return invalid.args ?? '';
  return contentText(msg);
}

/**
 * Chat-completions client for any OpenAI-compatible server. ChatOpenAICompletions is what ChatOpenAI delegates to for
 * /chat/completions; using it directly keeps ChatOpenAI from switching to the Responses API, which local servers lack.
 */
export function createLangChainChat(opts: LangChainChatOptions, env: Record<string, string | undefined> = process.env): LlmChat {
  assertNoTracing(env);
  const model = new ChatOpenAICompletions({
    model: opts.model,
    // local servers ignore the key, but the client refuses to start without one
    apiKey: opts.apiKey ?? 'unused',
    configuration: { baseURL: opts.baseUrl },
    // retries (and Retry-After) are ours: LangChain's own would hide 429s and multiply the timeout
    maxRetries: 0,
    timeout: opts.timeoutMs,
    temperature: 0,
    streaming: false,
  });
  const bound = opts.method === 'json_schema'
    ? model.withConfig({ response_format: { type: 'json_schema', json_schema: { name: OUTPUT_NAME, schema: opts.schema, strict: true } } })
    : model.withConfig({
      tools: [{ type: 'function', function: { name: OUTPUT_NAME, description: 'Record the findings of the note.', parameters: opts.schema } }],
      tool_choice: { type: 'function', function: { name: OUTPUT_NAME } },
    });
  return {
    async complete(request) {
      const started = performance.now();
      try {
        const msg = await bound.invoke([new SystemMessage(request.system), new HumanMessage(request.user)]);
        return answerOf(msg);
      } catch (err) {
        // the client reports its own timeout as a plain connection error in some runtimes: the clock decides
        const status = (err as { status?: unknown } | null)?.status;
        if (typeof status !== 'number' && performance.now() - started >= opts.timeoutMs) throw new LlmTimeoutError(opts.timeoutMs);
        throw err;
      }
    },
  };
}
