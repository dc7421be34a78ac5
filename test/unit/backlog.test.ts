import { describe, expect, it } from 'vitest';
import { Backlog } from '../../src/replication/backlog.js';
import { prng } from '../helpers/prng.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('Backlog', () => {
  it('starts empty after its start offset', () => {
    const b = new Backlog(8, 100);
    expect(b.histlen).toBe(0);
    expect(b.end).toBe(100);
    expect(b.firstByteOffset).toBe(101);
    expect(b.readFrom(101)).toEqual(Buffer.alloc(0));
    expect(b.readFrom(100)).toBeUndefined();
    expect(b.readFrom(102)).toBeUndefined();
  });

  it('keeps the newest bytes across wrap-around, and refuses offsets it no longer holds', () => {
    const b = new Backlog(8, 0);
    b.append(bytes('abcde'));
    expect(b.readFrom(1)!.toString('latin1')).toBe('abcde');
    b.append(bytes('fghij'));
    expect(b.histlen).toBe(8);
    expect(b.firstByteOffset).toBe(3);
    expect(b.readFrom(3)!.toString('latin1')).toBe('cdefghij');
    expect(b.readFrom(7)!.toString('latin1')).toBe('ghij');
    expect(b.readFrom(2)).toBeUndefined();
    expect(b.readFrom(11)).toEqual(Buffer.alloc(0));
    // A chunk larger than the whole backlog leaves only its tail.
    b.append(bytes('0123456789AB'));
    expect(b.end).toBe(22);
    expect(b.readFrom(15)!.toString('latin1')).toBe('456789AB');
  });

  it('matches a model for random appends and reads', () => {
    const random = prng(7);
    const b = new Backlog(97, 5);
    let all = '';
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(random() * 40);
      let chunk = '';
      for (let j = 0; j < n; j++) chunk += String.fromCharCode(Math.floor(random() * 256));
      b.append(bytes(chunk));
      all += chunk;
      const held = all.slice(Math.max(0, all.length - 97));
      expect(b.end).toBe(5 + all.length);
      const from = b.end + 1 - Math.floor(random() * (held.length + 1));
      expect(b.readFrom(from)!.toString('latin1')).toBe(all.slice(from - 6));
    }
  });

  it('resizes keeping the newest bytes', () => {
    const b = new Backlog(10, 0);
    b.append(bytes('0123456789abc'));
    b.resize(4);
    expect(b.readFrom(b.firstByteOffset)!.toString('latin1')).toBe('9abc');
    b.resize(16);
    b.append(bytes('XY'));
    expect(b.readFrom(b.firstByteOffset)!.toString('latin1')).toBe('9abcXY');
    expect(b.end).toBe(15);
  });
});
