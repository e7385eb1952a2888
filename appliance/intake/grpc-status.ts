import { Metadata, type status, type StatusObject } from '@grpc/grpc-js';

/** A gRPC status whose details start with our stable code and whose trailer repeats it. */
export function codedStatus(code: status, errorCode: string, message: string): StatusObject {
  const metadata = new Metadata();
  metadata.set('osiris-error-code', errorCode);
  return { code, details: `${errorCode}: ${message}`, metadata };
}

/** Error object grpc-js callbacks and `emit('error')` accept. */
export function statusError(s: StatusObject): Error & StatusObject {
  return Object.assign(new Error(s.details), s);
}
