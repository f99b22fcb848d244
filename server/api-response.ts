import type { ServerResponse } from 'node:http';
import type { SnapshotApiErrorCode } from '../src/protocol/snapshots.js';

export function json(res: ServerResponse, status: number, body: unknown): void {
  jsonText(res, status, JSON.stringify(body));
}

/** JSON a protocol encoder (src/protocol) already wrote. */
export function jsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(text);
}

/** A refusal as the app's clients read it: `{error: <code>, message}`. */
export function fail(res: ServerResponse, status: number, code: SnapshotApiErrorCode, message: string): void {
  if (!res.headersSent) json(res, status, { error: code, message });
}
