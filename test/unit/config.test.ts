import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../server/config.js';

describe('relay configuration', () => {
  it('has a documented default for every limit', () => {
    const c = configFromEnv({});
    expect(c).toMatchObject({
      maxFrameBytes: 1024 * 1024,
      maxMessageBytes: 64 * 1024 * 1024,
      maxMessagesPerSecond: 200,
      maxAwarenessPerSecond: 20,
      maxAwarenessBytes: 4096,
      maxRooms: 500,
      maxConnectionsPerIp: 200,
      handshakeTimeoutMs: 10_000,
      idleTimeoutMs: 600_000,
      maxDocBytes: 256 * 1024 * 1024,
      maxHeapBytes: 1536 * 1024 * 1024,
      maxRssBytes: null,
      maxReassemblyBytes: 256 * 1024 * 1024,
      fragmentTimeoutMs: 120_000,
      maxConnections: 1000,
      maxRoomLoadsPerIpPerMinute: 120,
      maxSnapshotsPerHour: 20,
      maxSnapshotsPerHourPerIp: 60,
      allowedHosts: [],
      autoSnapshotMs: 3_600_000,
      allowedOrigins: [],
      groupCommit: true,
    });
  });

  it('reads each from the environment and refuses nonsense with the variable named', () => {
    const c = configFromEnv({ MAX_ROOMS: '3', ALLOWED_ORIGINS: 'https://a.example/path, http://b.example:8080' });
    expect(c.maxRooms).toBe(3);
    expect(c.allowedOrigins).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(() => configFromEnv({ MAX_MESSAGES_PER_SECOND: 'lots' })).toThrow(ConfigError);
    expect(() => configFromEnv({ MAX_MESSAGES_PER_SECOND: 'lots' })).toThrow(/MAX_MESSAGES_PER_SECOND/);
    expect(() => configFromEnv({ ALLOWED_ORIGINS: 'not a url' })).toThrow(/ALLOWED_ORIGINS/);
    expect(configFromEnv({ ALLOWED_HOSTS: 'Sheets.Example.org, hub.lan' }).allowedHosts).toEqual(['sheets.example.org', 'hub.lan']);
    expect(() => configFromEnv({ ALLOWED_HOSTS: 'https://sheets.example.org' })).toThrow(/ALLOWED_HOSTS/);
    expect(() => configFromEnv({ MAX_CONNECTIONS: '0' })).toThrow(/MAX_CONNECTIONS/);
  });

  it('reads the held-memory ceiling (MAX_HEAP_BYTES), and the older resident one (MAX_RSS_BYTES) only when it is set', () => {
    expect(configFromEnv({ MAX_HEAP_BYTES: String(64 * 1024 * 1024) })).toMatchObject({ maxHeapBytes: 64 * 1024 * 1024, maxRssBytes: null });
    expect(configFromEnv({ MAX_RSS_BYTES: String(32 * 1024 * 1024) })).toMatchObject({ maxHeapBytes: 1536 * 1024 * 1024, maxRssBytes: 32 * 1024 * 1024 });
    expect(() => configFromEnv({ MAX_HEAP_BYTES: '12' })).toThrow(/MAX_HEAP_BYTES/);
    expect(() => configFromEnv({ MAX_RSS_BYTES: '12' })).toThrow(/MAX_RSS_BYTES/);
  });
});
