/**
 * A minimal multipart/form-data parser (RFC 7578) for the upload form: the whole body is in
 * memory (it is capped before parsing), parts are split at the boundary, and each part's
 * Content-Disposition gives its field name and, for a file, its file name.
 */
export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function param(header: string, key: string): string | undefined {
  // filename="a.xlsx" (browsers send UTF-8 bytes and escape '"' as %22); filename*=UTF-8''a.xlsx (rare)
  const star = new RegExp(`;\\s*${key}\\*=(?:UTF-8|utf-8)''([^;]*)`).exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      return undefined;
    }
  }
  const m = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(header);
  return m ? (m[1] ?? m[2]).replace(/\\(.)/g, '$1') : undefined;
}

export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const open = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(open);
  if (pos < 0) throw new MultipartError('no boundary in the body');
  pos += open.length;
  const parts: Part[] = [];
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts; // '--': the closing delimiter
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw new MultipartError('malformed delimiter line');
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new MultipartError('part without headers');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const end = body.indexOf(next, headerEnd + 4);
    if (end < 0) throw new MultipartError('part without an end (body truncated?)');
    const disposition = headers.find((h) => /^content-disposition:/i.test(h));
    const contentType = headers.find((h) => /^content-type:/i.test(h))?.replace(/^content-type:\s*/i, '');
    const name = disposition && param(disposition, 'name');
    if (!name) throw new MultipartError('part without a field name');
    parts.push({ name, filename: disposition && param(disposition, 'filename'), contentType, data: body.subarray(headerEnd + 4, end) });
    pos = end + next.length;
  }
}

/** The fields of an application/x-www-form-urlencoded body. */
export function parseForm(body: Buffer): Map<string, string> {
  return new Map(new URLSearchParams(body.toString('utf8')));
}
