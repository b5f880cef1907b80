// A test-only OTLP/gRPC trace receiver: takes kube-apiserver's exports on loopback and keeps each span's ids, name
// and service. It reads the protobuf wire format itself (no generated code): only the fields the tests look at.
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';

export interface ReceivedSpan {
  service: string | undefined;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
}

export interface OtlpReceiver {
  /** `127.0.0.1:<port>`, for TracingConfiguration's endpoint. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  close(): Promise<void>;
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const identity = (bytes: Buffer) => bytes;
  const service: ServiceDefinition = {
    Export: {
      path: EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      // An empty ExportTraceServiceResponse is zero bytes.
      responseSerialize: () => Buffer.alloc(0),
      responseDeserialize: identity,
    },
  };
  const implementation: UntypedServiceImplementation = {
    Export: (call: { request: Buffer }, callback: (error: null, response: Buffer) => void) => {
      spans.push(...decodeExport(call.request));
      callback(null, Buffer.alloc(0));
    },
  };
  const server = new Server();
  server.addService(service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    endpoint: `127.0.0.1:${port}`,
    spans,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // A client that keeps its connection open must not hold the test up.
        setTimeout(() => server.forceShutdown(), 2_000).unref();
      }),
  };
}

type Field = { number: number; bytes?: Buffer };

/** The fields of one protobuf message; length-delimited ones keep their bytes, others are skipped over. */
function fields(buffer: Buffer): Field[] {
  const found: Field[] = [];
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = buffer[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (at < buffer.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        varint();
        found.push({ number });
        break;
      case 1:
        at += 8;
        found.push({ number });
        break;
      case 2: {
        const length = varint();
        found.push({ number, bytes: buffer.subarray(at, at + length) });
        at += length;
        break;
      }
      case 5:
        at += 4;
        found.push({ number });
        break;
      default:
        throw new Error(`unexpected protobuf wire type ${key & 7} at byte ${at}`);
    }
  }
  return found;
}

const children = (buffer: Buffer, number: number) =>
  fields(buffer)
    .filter((field) => field.number === number && field.bytes)
    .map((field) => field.bytes!);
const first = (buffer: Buffer, number: number) => children(buffer, number)[0];

/** ExportTraceServiceRequest: resource_spans(1) → resource(1), scope_spans(2) → spans(2). */
function decodeExport(request: Buffer): ReceivedSpan[] {
  return children(request, 1).flatMap((resourceSpans) => {
    const resource = first(resourceSpans, 1);
    const service = resource && serviceName(resource);
    return children(resourceSpans, 2).flatMap((scopeSpans) =>
      children(scopeSpans, 2).map((span) => ({
        service,
        traceId: first(span, 1)?.toString('hex') ?? '',
        spanId: first(span, 2)?.toString('hex') ?? '',
        parentSpanId: first(span, 4)?.toString('hex') ?? '',
        name: first(span, 5)?.toString('utf8') ?? '',
      })),
    );
  });
}

/** Resource.attributes(1) is KeyValue{key(1), value(2): AnyValue{string_value(1)}}. */
function serviceName(resource: Buffer): string | undefined {
  for (const attribute of children(resource, 1)) {
    if (first(attribute, 1)?.toString('utf8') !== 'service.name') continue;
    const value = first(attribute, 2);
    return value && first(value, 1)?.toString('utf8');
  }
  return undefined;
}
