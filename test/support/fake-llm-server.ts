/** A local OpenAI-wire-compatible chat server on 127.0.0.1:0 with scripted replies, for tests and benchmarks of the llm engine. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The request body as sent (model, messages, response_format or tools, …). */
  body: Record<string, any>;
  system: string;
  user: string;
  /** The note text between the `<note id="…">` delimiters of the user message ('' when absent). */
  note: string;
  /** How the client asked for structured output. */
  mode: 'json_schema' | 'tools' | 'plain';
  /** Whether a reply was written: false while scripted delay runs, and for good when the client gave up first. */
  answered: boolean;
}

/** One scripted reply. A function decides per request (it may return another step). */
export type ScriptStep =
  | { reply: unknown }
  | { raw: string }
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { delayMs: number; then?: ScriptStep }
  | ((req: RecordedRequest) => ScriptStep | Promise<ScriptStep>);

export interface FakeLlmOptions {
  /** Replies for the first requests, in order; later requests get `answer`. */
  script?: ScriptStep[];
  /** The findings for a note (e.g. from gold annotations); default none. */
  answer?: (note: string, req: RecordedRequest) => unknown[];
  /** Latency added to every `answer` reply. */
  latencyMs?: number;
}

export interface FakeLlmServer {
  /** Base URL for the client, ending in /v1. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Most requests that were in flight at the same time. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

const NOTE = /<note id="([0-9a-f]+)">\n([\s\S]*)\n<\/note id="\1">/;

/** A model finding with every key the strict schema requires (null where not given). */
export function modelFinding(f: { concept: string; quote: string; assertion?: string } & Record<string, unknown>): Record<string, unknown> {
  return {
    assertion: 'present', row: null, value: null, unit: null, comparator: null, date: null,
    histology: null, laterality: null, figo: null, relationship: null, codes: [], ...f,
  };
}

function record(path: string, headers: http.IncomingHttpHeaders, body: Record<string, any>): RecordedRequest {
  const messages: Array<{ role: string; content: unknown }> = Array.isArray(body.messages) ? body.messages : [];
  const text = (role: string): string => messages.filter((m) => m.role === role).map((m) => String(m.content)).join('\n');
  const user = text('user');
  const mode = Array.isArray(body.tools) ? 'tools' : body.response_format?.type === 'json_schema' ? 'json_schema' : 'plain';
  return { path, headers, body, system: text('system'), user, note: NOTE.exec(user)?.[2] ?? '', mode, answered: false };
}

/** An answer in the wire shape the request asked for: a tool call, or JSON in the message content. */
function completion(req: RecordedRequest, content: string, n: number): Record<string, unknown> {
  const tool = req.mode === 'tools' ? req.body.tools[0].function.name : undefined;
  const message = tool
    ? { role: 'assistant', content: null, tool_calls: [{ id: `call_${n}`, type: 'function', function: { name: tool, arguments: content } }] }
    : { role: 'assistant', content };
  return {
    id: `chatcmpl-${n}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: req.body.model,
    choices: [{ index: 0, message, finish_reason: tool ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: Math.ceil(req.user.length / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: 0 },
  };
}

const readBody = (req: http.IncomingMessage): Promise<string> => new Promise((resolve, reject) => {
  let data = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => { data += c; });
  req.on('end', () => resolve(data));
  req.on('error', reject);
});

interface Reply { rec: RecordedRequest; res: http.ServerResponse; n: number; fallback: () => ScriptStep }

/** Plays one script step: waits, calls the step function, or writes the scripted status / answer. */
async function respond(step: ScriptStep, r: Reply): Promise<void> {
  if (typeof step === 'function') return respond(await step(r.rec), r);
  if ('delayMs' in step) {
    // Cut short when the client gives up: a pending timer would outlive the suite and keep its Jest worker from exiting.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, step.delayMs);
      function done(): void { clearTimeout(timer); r.res.off('close', done); resolve(); }
      r.res.once('close', done);
    });
    return respond(step.then ?? r.fallback(), r);
  }
  if (r.res.destroyed) return; // the client gave up (timeout)
  if ('status' in step) {
    r.res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
    r.res.end(JSON.stringify(step.body ?? { error: { message: `scripted ${step.status}`, type: 'server_error' } }));
    r.rec.answered = true;
    return;
  }
  const content = 'raw' in step ? step.raw : JSON.stringify(step.reply);
  r.res.writeHead(200, { 'content-type': 'application/json' });
  r.res.end(JSON.stringify(completion(r.rec, content, r.n)));
  r.rec.answered = true;
}

export async function startFakeLlmServer(options: FakeLlmOptions | ScriptStep[] = {}): Promise<FakeLlmServer> {
  const opts: FakeLlmOptions = Array.isArray(options) ? { script: options } : options;
  const script = [...(opts.script ?? [])];
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fallback = (): ScriptStep => ({ delayMs: opts.latencyMs ?? 0, then: (r: RecordedRequest) => ({ reply: { findings: opts.answer?.(r.note, r) ?? [] } }) });

  const server = http.createServer((req, res) => {
    void (async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => { inFlight--; });
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const rec = record(req.url, req.headers, JSON.parse(await readBody(req)));
      requests.push(rec);
      await respond(script.shift() ?? fallback(), { rec, res, n: requests.length, fallback });
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    get maxInFlight() { return maxInFlight; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
