import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => ts.stop());

describe('connection commands', () => {
  it('PING and ECHO over ioredis (RESP3 by default)', async () => {
    const r = await ts.client();
    expect(await r.ping()).toBe('PONG');
    expect(await r.ping('hi')).toBe('hi');
    expect(await r.echo('binary\x00\xff')).toBe('binary\x00\xff'); // ioredis sends JS strings as UTF-8 and decodes replies as UTF-8
  });

  it('PING with too many arguments is an arity error', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('PING', 'a', 'b')).toBe("-ERR wrong number of arguments for 'ping' command\r\n");
    c.close();
  });

  it('HELLO 3 answers the server map, HELLO 4 is NOPROTO', async () => {
    const c = await RawConnection.connect(ts.port);
    const reply = await c.call('HELLO', '3');
    expect(reply).toMatch(/^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n\$7\r\nversion\r\n\$6\r\n7\.0\.15\r\n\$5\r\nproto\r\n:3\r\n\$2\r\nid\r\n:\d+\r\n\$4\r\nmode\r\n\$10\r\nstandalone\r\n\$4\r\nrole\r\n\$6\r\nmaster\r\n\$7\r\nmodules\r\n\*0\r\n$/);
    expect(await c.call('HELLO', '4')).toBe('-NOPROTO unsupported protocol version\r\n');
    expect(await c.call('HELLO', 'x')).toBe('-ERR Protocol version is not an integer or out of range\r\n');
    c.close();
  });

  it('SELECT switches database and rejects bad indexes', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('SELECT', '15')).toBe('+OK\r\n');
    expect(await c.call('SELECT', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(await c.call('SELECT', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    c.close();
  });

  it('QUIT replies OK and closes; RESET answers RESET', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('RESET')).toBe('+RESET\r\n');
    c.send('QUIT');
    expect(await c.readUntilClosed()).toBe('+OK\r\n');
  });

  it('AUTH without a configured password is an error', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('AUTH', 'x')).toBe(
      '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
    );
    c.close();
  });

  it('unknown commands name the command and the first args', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('NOPE', 'a', 'b\r\nc')).toBe("-ERR unknown command 'NOPE', with args beginning with: 'a' 'b  c' \r\n");
    c.close();
  });
});
