import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../server/config.js';
import { clientAddress } from '../../server/relay.js';

describe('hosted hub settings', () => {
  it('DATABASE_URL and REDIS_URL go together; neither (the default) is the SQLite hub', () => {
    expect(configFromEnv({}).hosted).toBeNull();
    const c = configFromEnv({ DATABASE_URL: 'postgres://hub@db/sheets', REDIS_URL: 'redis://cache:6379' });
    expect(c.hosted).toEqual({ databaseUrl: 'postgres://hub@db/sheets', redisUrl: 'redis://cache:6379', redisPrefix: 'ms:' });
    expect(() => configFromEnv({ DATABASE_URL: 'postgres://hub@db/sheets' })).toThrow(ConfigError);
    expect(() => configFromEnv({ REDIS_URL: 'redis://cache:6379' })).toThrow(ConfigError);
    expect(() => configFromEnv({ DATABASE_URL: 'mysql://db/sheets', REDIS_URL: 'redis://cache' })).toThrow(/postgres/);
    expect(() => configFromEnv({ DATABASE_URL: 'postgres://db/sheets', REDIS_URL: 'http://cache' })).toThrow(/redis/);
  });

  it('TRUSTED_PROXIES: behind a listed proxy the last X-Forwarded-For address is limited; from anyone else the header is ignored', () => {
    expect(configFromEnv({ TRUSTED_PROXIES: '127.0.0.1, ::1' }).trustedProxies).toEqual(['127.0.0.1', '::1']);
    expect(() => configFromEnv({ TRUSTED_PROXIES: 'proxy.lan' })).toThrow(ConfigError);
    const trusted = ['127.0.0.1'];
    expect(clientAddress('::ffff:127.0.0.1', '1.2.3.4, 203.0.113.9', trusted)).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', undefined, trusted)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', 'not-an-address', trusted)).toBe('127.0.0.1');
    // a device that writes the header itself changes nothing
    expect(clientAddress('198.51.100.7', '203.0.113.9', trusted)).toBe('198.51.100.7');
    expect(clientAddress('198.51.100.7', '203.0.113.9', [])).toBe('198.51.100.7');
  });
});
