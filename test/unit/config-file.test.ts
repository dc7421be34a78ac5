import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config, ConfigError } from '../../src/config.js';
import {
  ConfigFileError,
  ConfigOpenError,
  formatFatal,
  loadConfigText,
  loadServerConfig,
  parseCommandLine,
} from '../../src/config-file.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-config-unit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Loads text into a fresh Config. */
function load(text: string): Config {
  const c = new Config();
  loadConfigText(c, text);
  return c;
}

/** The ConfigFileError loading `text` throws. */
function loadError(text: string): ConfigFileError {
  try {
    load(text);
  } catch (e) {
    if (e instanceof ConfigFileError) return e;
    throw e;
  }
  throw new Error('expected a ConfigFileError');
}

/** The reason text a directive's value is refused with. */
function reason(name: string, ...args: string[]): string {
  try {
    new Config().set(name, args, { startup: true });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return 'accepted';
}

describe('config file parsing', () => {
  it('skips comments and blank lines, trims lines, lowercases directive names', () => {
    const c = load('# a comment\n\n   \n  PORT 7000  \r\n\tHz 20\n# port 1\n');
    expect(c.get('port')).toBe('7000');
    expect(c.get('hz')).toBe('20');
  });

  it('splits arguments like sdssplitargs: double quotes with escapes, single quotes', () => {
    const c = load('requirepass "a b\\x41\\n\\"q\\""\nmasterauth \'it\\\'s\'\nnotify-keyspace-events ""\n');
    expect(c.get('requirepass')).toBe('a bA\n"q"');
    expect(c.get('masterauth')).toBe("it's");
    expect(c.get('notify-keyspace-events')).toBe('');
  });

  it('accepts multi-argument directives: bind, save lines, client-output-buffer-limit lines, replicaof', () => {
    const c = load(
      [
        'bind 127.0.0.1 -::1',
        'save 900 1',
        'save 300 10 60 10000',
        'client-output-buffer-limit normal 0 0 0',
        'client-output-buffer-limit replica 256mb 64mb 60',
        'client-output-buffer-limit pubsub 1mb 1kb 5',
        'slaveof 10.0.0.1 6380',
        'oom-score-adj-values 0 100 200',
      ].join('\n'),
    );
    expect(c.get('bind')).toBe('127.0.0.1 -::1');
    expect(c.get('save')).toBe('900 1 300 10 60 10000');
    expect(c.get('client-output-buffer-limit')).toBe('normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 1024 5');
    expect(c.get('replicaof')).toBe('10.0.0.1 6380');
    expect(c.get('oom-score-adj-values')).toBe('0 100 200');
  });

  it('save "" clears the save points; the next save line starts a new list', () => {
    expect(load('save ""\n').get('save')).toBe('');
    expect(load('save 10 1\nsave ""\nsave 20 2\n').get('save')).toBe('20 2');
  });

  it('accepts rename-command, user, loadmodule and the deprecated ziplist settings; lists what it does not act on', () => {
    const c = load('rename-command FLUSHALL ""\nuser bob on >pw ~* +@all\nlist-max-ziplist-entries 5\nacllog-max-len 256\nhz 10\nport 7000\n');
    expect(c.unactedDirectives()).toEqual(['acllog-max-len', 'rename-command', 'user']);
  });

  it('a directive set explicitly to its default is not reported as unacted', () => {
    expect(load('acllog-max-len 128\nappendonly no\n').unactedDirectives()).toEqual([]);
  });

  it('include loads another file in place, and a glob includes every match in order', () => {
    fs.mkdirSync(path.join(tmp, 'frag'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'frag', 'a.conf'), 'hz 30\ntimeout 5\n');
    fs.writeFileSync(path.join(tmp, 'frag', 'b.conf'), 'hz 40\n');
    fs.writeFileSync(path.join(tmp, 'one.conf'), 'maxclients 77\n');
    const c = load(`include ${path.join(tmp, 'one.conf')}\ninclude ${path.join(tmp, 'frag', '*.conf')}\ntimeout 6\n`);
    expect(c.get('maxclients')).toBe('77');
    expect(c.get('hz')).toBe('40');
    expect(c.get('timeout')).toBe('6');
    expect(load(`include ${path.join(tmp, 'nothing', '*.conf')}\n`).get('hz')).toBe('10');
  });

  it('an included file that does not exist is fatal with the open error', () => {
    expect(() => load(`include ${path.join(tmp, 'missing.conf')}`)).toThrow(
      new ConfigOpenError(`Fatal error, can't open config file '${path.join(tmp, 'missing.conf')}': No such file or directory`),
    );
  });

  it('errors carry the line number and the trimmed line', () => {
    const e = loadError('port 7000\n\n  foo bar  \n');
    expect([e.lineNumber, e.line, e.message]).toEqual([3, 'foo bar', 'Bad directive or wrong number of arguments']);
    expect(formatFatal(e)).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'foo bar'\nBad directive or wrong number of arguments\n" +
        "(in the configuration, line 3, directive 'foo')\n",
    );
    const q = loadError('hz 10\nloglevel "notice\n');
    expect([q.lineNumber, q.message]).toEqual([2, 'Unbalanced quotes in configuration line']);
    expect(loadError('loglevel').message).toBe('wrong number of arguments');
    expect(loadError('hz 1 2').message).toBe('wrong number of arguments');
    expect(loadError('include').message).toBe('Bad directive or wrong number of arguments');
    expect(loadError('rename-command get').message).toBe('Bad directive or wrong number of arguments');
    expect(loadError('sentinel monitor m 127.0.0.1 6379 2').message).toBe('sentinel directive while not in sentinel mode');
  });

  it('errors inside an included file count lines within that file', () => {
    fs.writeFileSync(path.join(tmp, 'bad-inc.conf'), 'hz 10\nhz abc\n');
    const e = loadError(`port 1\nport 2\ninclude ${path.join(tmp, 'bad-inc.conf')}\n`);
    expect([e.lineNumber, e.line]).toEqual([2, 'hz abc']);
  });

  it('the fatal report names the file, its line and the directive, also for an included file and stdin', () => {
    const main = path.join(tmp, 'main.conf');
    const inc = path.join(tmp, 'bad-inc2.conf');
    fs.writeFileSync(inc, 'hz 10\nhz abc\n');
    fs.writeFileSync(main, `port 1\ninclude ${inc}\n`);
    const fatal = (cmd: { configFile: string; readStdin: boolean; options: string }, stdin = '') => {
      try {
        loadServerConfig(new Config(), cmd, () => stdin);
      } catch (e) {
        return formatFatal(e as ConfigFileError).split('\n').at(-2);
      }
      return 'no error';
    };
    expect(fatal({ configFile: main, readStdin: false, options: '' })).toBe(`(in ${inc}, line 2, directive 'hz')`);
    expect(fatal({ configFile: '', readStdin: true, options: '' }, 'hz 10\ntimeout x\n')).toBe("(in stdin, line 2, directive 'timeout')");
  });
});

describe('command line', () => {
  it('takes a config file first, then --options whose values are quoted', () => {
    expect(parseCommandLine(['/etc/k.conf', '--port', '7000', '--requirepass', 'a b', '--bind', '127.0.0.1', '::1'])).toEqual({
      kind: 'run',
      configFile: '/etc/k.conf',
      readStdin: false,
      options: 'port "7000" \nrequirepass "a b" \nbind "127.0.0.1" "::1" ',
    });
  });

  it('--save with no value means save ""; - reads stdin; -v and -h', () => {
    expect(parseCommandLine(['--save', '--port', '1'])).toMatchObject({ options: 'save ""\nport "1" ' });
    expect(parseCommandLine(['--port', '1', '--save'])).toMatchObject({ options: 'port "1" \nsave ""' });
    expect(parseCommandLine(['-', '--port', '1'])).toMatchObject({ configFile: '', readStdin: true });
    expect(parseCommandLine(['--port 7000'])).toMatchObject({ options: 'port 7000 ' });
    expect(parseCommandLine(['-v'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help' });
  });

  it('options come after the file and stdin, numbered after their lines, and override them', () => {
    const file = path.join(tmp, 'base.conf');
    fs.writeFileSync(path.join(tmp, 'base.conf'), 'port 7000\nhz 20\n');
    const c = new Config();
    loadServerConfig(c, { configFile: file, readStdin: true, options: 'hz "30" ' }, () => 'timeout 9\n');
    expect([c.get('port'), c.get('hz'), c.get('timeout'), c.configFile]).toEqual(['7000', '30', '9', file]);
    const bad = new Config();
    let err: unknown;
    try {
      loadServerConfig(bad, parseCommandLine(['--port', '1', '--port', 'abc']) as never, () => '');
    } catch (e) {
      err = e;
    }
    expect(formatFatal(err as ConfigFileError)).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer\n" +
        "(in the command line, line 2, directive 'port')\n",
    );
  });

  it('a log file that cannot be opened is fatal without a line number', () => {
    const c = new Config();
    expect(() => loadServerConfig(c, { configFile: '', readStdin: false, options: `logfile ${path.join(tmp, 'no', 'dir', 'x.log')}` }, () => '')).toThrow(
      "Can't open the log file: No such file or directory",
    );
  });
});

describe('parameter types and their error texts', () => {
  it('bool: yes/no in any case', () => {
    expect(reason('protected-mode', 'maybe')).toBe("argument must be 'yes' or 'no'");
    const c = new Config();
    c.set('protected-mode', ['NO']);
    expect(c.get('protected-mode')).toBe('no');
  });

  it('integer: strict syntax and inclusive bounds', () => {
    expect(reason('hz', 'abc')).toBe("argument couldn't be parsed into an integer");
    expect(reason('hz', '05')).toBe("argument couldn't be parsed into an integer");
    expect(reason('hz', '+5')).toBe("argument couldn't be parsed into an integer");
    expect(reason('hz', '-1')).toBe('argument must be between 0 and 2147483647 inclusive');
    expect(reason('port', '65536')).toBe('argument must be between 0 and 65535 inclusive');
    expect(reason('slowlog-max-len', '-1')).toBe('argument must be between 0 and 9223372036854775807 inclusive');
    expect(reason('slowlog-max-len', '99999999999999999999')).toBe("argument couldn't be parsed into an integer");
    expect(reason('active-expire-effort', '11')).toBe('argument must be between 1 and 10 inclusive');
    expect(reason('maxclients', '0')).toBe('argument must be between 1 and 4294967295 inclusive');
    expect(reason('slowlog-log-slower-than', '-1')).toBe('accepted');
  });

  it('memory: units in any case, bytes as canonical value', () => {
    const c = new Config();
    c.set('maxmemory', ['1GB']);
    expect(c.get('maxmemory')).toBe('1073741824');
    c.set('maxmemory', ['1g']);
    expect(c.get('maxmemory')).toBe('1000000000');
    c.set('maxmemory', ['05']);
    expect(c.get('maxmemory')).toBe('5');
    expect(reason('maxmemory', '1.5mb')).toBe('argument must be a memory value');
    expect(reason('maxmemory', '-1')).toBe('argument must be a memory value');
    expect(reason('proto-max-bulk-len', '1000')).toBe('argument must be between 1048576 and 9223372036854775807 inclusive');
    expect(reason('maxmemory-clients', '101%')).toBe('percentage argument must be less or equal to 100');
    expect(reason('maxmemory-clients', 'x')).toBe('argument must be a memory or percent value');
  });

  it('enum: one of the listed values, case-insensitive', () => {
    expect(reason('loglevel', 'nothing')).toBe('argument(s) must be one of the following: debug, verbose, notice, warning');
    expect(reason('appendfsync', 'sometimes')).toBe('argument(s) must be one of the following: everysec, always, no');
    const c = new Config();
    c.set('loglevel', ['WARNING']);
    expect(c.get('loglevel')).toBe('warning');
  });

  it('special syntaxes: save, client-output-buffer-limit, bind, oom-score-adj-values, percentiles', () => {
    expect(reason('save', '1')).toBe('Invalid save parameters');
    expect(reason('save', '0', '1')).toBe('Invalid save parameters');
    expect(reason('save', '10', '-1')).toBe('Invalid save parameters');
    expect(reason('client-output-buffer-limit', 'normal', '1', '2')).toBe('Wrong number of arguments in buffer limit configuration.');
    expect(reason('client-output-buffer-limit', 'foo', '1', '2', '3')).toBe('Invalid client class specified in buffer limit configuration.');
    expect(reason('client-output-buffer-limit', 'normal', 'a', '2', '3')).toBe('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    expect(reason('bind', ...Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`))).toBe('Too many bind addresses specified.');
    expect(reason('oom-score-adj-values', '1', '2')).toBe('wrong number of arguments');
    expect(reason('oom-score-adj-values', '1', '2', '5000')).toBe('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
    expect(reason('latency-tracking-info-percentiles', 'x')).toBe('Invalid latency-tracking-info-percentiles parameters');
    expect(reason('latency-tracking-info-percentiles', '101')).toBe('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
    const c = new Config();
    c.set('latency-tracking-info-percentiles', ['50.0', '99.90', '1e1']);
    expect(c.get('latency-tracking-info-percentiles')).toBe('50 99.9 10');
  });

  it('notify-keyspace-events: flag characters shown in canonical order', () => {
    const c = new Config();
    const shown = (v: string) => {
      c.set('notify-keyspace-events', [v]);
      return c.match(['notify-keyspace-events'])[0]![1];
    };
    expect([shown('KEA'), shown('Kx'), shown('Egm$lshzxetdn'), shown('Kmn'), shown('')]).toEqual(['AKE', 'xK', 'AEm', 'nKm', '']);
    expect(reason('notify-keyspace-events', 'X')).toBe("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  });

  it('replicaof, dir and unixsocketperm', () => {
    expect(reason('replicaof', 'host')).toBe('wrong number of arguments');
    expect(reason('replicaof', 'host', 'abc')).toBe('Invalid master port');
    expect(reason('dir', path.join(tmp, 'nope'))).toBe('No such file or directory');
    fs.writeFileSync(path.join(tmp, 'plain'), '');
    expect(reason('dir', path.join(tmp, 'plain'))).toBe('Not a directory');
    expect(reason('unixsocketperm', '8')).toBe("argument couldn't be parsed as an octal number");
    const c = new Config();
    c.set('replicaof', ['no', 'one'], { startup: true });
    expect(c.get('replicaof')).toBe('');
    c.set('dir', [tmp]);
    c.set('dir', ['frag']);
    expect(c.get('dir')).toBe(path.join(tmp, 'frag'));
  });

  it('immutable parameters can only be set at start-up', () => {
    expect(() => new Config().set('databases', ['4'])).toThrow("can't set immutable config");
    const c = new Config();
    c.set('databases', ['4'], { startup: true });
    expect(c.getInt('databases')).toBe(4);
  });
});
