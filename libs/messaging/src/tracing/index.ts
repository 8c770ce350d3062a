/** Trace context on records and the messaging spans (OpenTelemetry API only; see docs/tracing.md). */
export {
  activeTraceparent,
  contextOfHeaders,
  contextOfTraceparent,
  formatTraceparent,
  MESSAGING_ATTRIBUTES,
  parseTraceparent,
  TRACER_NAME,
  type MessagingOperation,
} from './trace-context';
export { tracingMiddleware } from './tracing.middleware';
