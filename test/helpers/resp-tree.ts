/**
 * Parses one raw RESP2/RESP3 reply (as RawConnection returns it) into a tree that keeps every
 * type marker, and writes a tree back to raw text. Lets a test reorder parts whose order Redis
 * does not define (hash-table order) and still compare the rest byte for byte.
 */

export interface RespNode {
  /** The type byte: + - : $ * % ~ > _ , # ( = ! */
  type: string;
  /** Scalars: the text after the type byte (bulk: the payload; null bulk: "-1"). */
  value?: string;
  /** Aggregates: the elements (maps: keys and values alternating). */
  items?: RespNode[];
}

export function parseResp(raw: string): RespNode {
  const [node, end] = parseAt(raw, 0);
  if (end !== raw.length) throw new Error(`trailing bytes after reply: ${JSON.stringify(raw.slice(end))}`);
  return node;
}

function parseAt(raw: string, pos: number): [RespNode, number] {
  const type = raw[pos]!;
  const lineEnd = raw.indexOf('\r\n', pos);
  if (lineEnd < 0) throw new Error('incomplete reply');
  const head = raw.slice(pos + 1, lineEnd);
  let next = lineEnd + 2;
  switch (type) {
    case '$': case '=': case '!': {
      const n = Number(head);
      if (n < 0) return [{ type, value: head }, next];
      return [{ type, value: raw.slice(next, next + n) }, next + n + 2];
    }
    case '*': case '~': case '>': case '%': {
      const n = Number(head);
      if (n < 0) return [{ type, value: head }, next];
      const count = type === '%' ? n * 2 : n;
      const items: RespNode[] = [];
      for (let i = 0; i < count; i++) {
        const [child, after] = parseAt(raw, next);
        items.push(child);
        next = after;
      }
      return [{ type, items }, next];
    }
    default:
      return [{ type, value: head }, next];
  }
}

export function writeResp(node: RespNode): string {
  if (node.items === undefined) {
    if ((node.type === '$' || node.type === '=' || node.type === '!') && node.value !== '-1') {
      return `${node.type}${node.value!.length}\r\n${node.value}\r\n`;
    }
    return `${node.type}${node.value}\r\n`;
  }
  const n = node.type === '%' ? node.items.length / 2 : node.items.length;
  return `${node.type}${n}\r\n` + node.items.map(writeResp).join('');
}
