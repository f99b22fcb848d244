import { MAX_TIMELINE_ENTRIES, encodeBeforeRetention, encodeTimeline, readStateQuery, readTimelineQuery } from '../src/protocol/retained.js';
import { stateAt, timelineOf } from './retained.js';
import { fail, jsonText } from './api-response.js';
import type { ApiRequest, WorkbookApiDeps } from './workbook-api.js';

/**
 * GET /api/w/<room>/state?at=<ms>              the room as it was at `at` (application/octet-stream)
 * GET /api/w/<room>/timeline?from=<ms>&to=<ms> when its retained changes were stored, newest first
 * Reading is all they do, so a view link may use both.
 */
export function createRetainedRoutes(deps: Pick<WorkbookApiDeps, 'store' | 'maxStateInputBytes'>) {
  return {
    async state({ req, res, url, room }: ApiRequest): Promise<void> {
      if (req.method !== 'GET') {
        fail(res, 405, 'METHOD', 'use GET');
        return;
      }
      const query = readStateQuery(url.searchParams);
      if (!query) {
        fail(res, 400, 'BAD_TIME', 'say when: ?at=<milliseconds since 1970>');
        return;
      }
      const result = await stateAt(deps.store, room, query.at, { maxInputBytes: deps.maxStateInputBytes });
      if (res.destroyed) return;
      switch (result.kind) {
        case 'unknown':
          fail(res, 404, 'UNKNOWN_WORKBOOK', 'the hub holds no such workbook');
          return;
        case 'before':
          jsonText(res, 410, encodeBeforeRetention(result.earliest));
          return;
        case 'too-large':
          fail(res, 413, 'TOO_LARGE', `rebuilding that moment would read more than ${result.limit} bytes of history`);
          return;
        case 'state':
          res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': result.update.length }).end(Buffer.from(result.update));
      }
    },

    async timeline({ req, res, url, room }: ApiRequest): Promise<void> {
      if (req.method !== 'GET') {
        fail(res, 405, 'METHOD', 'use GET');
        return;
      }
      const query = readTimelineQuery(url.searchParams);
      if (!query) {
        fail(res, 400, 'BAD_TIME', 'from and to are milliseconds since 1970, from not after to');
        return;
      }
      const timeline = await timelineOf(deps.store, room, query.from, query.to, MAX_TIMELINE_ENTRIES);
      if (res.destroyed) return;
      if (!timeline) fail(res, 404, 'UNKNOWN_WORKBOOK', 'the hub holds no such workbook');
      else jsonText(res, 200, encodeTimeline(timeline));
    },
  };
}
