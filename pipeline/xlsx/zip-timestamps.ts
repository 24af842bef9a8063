import { open } from 'node:fs/promises';

/**
 * Pins every timestamp inside a zip file (an .xlsx is one) to `when`, in place.
 *
 * Why: exceljs stamps each zip entry with the wall-clock time it was written, so two runs of the
 * same month would give different bytes. Workbooks must be byte-identical for the same inputs
 * (DESIGN.md, Outputs), so after writing we overwrite the DOS time/date of every local and central
 * directory header, and the Unix times of any extended-timestamp extra field (0x5455).
 * Only header fields are touched; compressed data and CRCs stay as they are.
 */
export async function pinZipTimestamps(path: string, when: Date): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const { size } = await file.stat();
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`not a zip file (no end of central directory): ${path}`);
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);

    const dosTime = (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | Math.floor(when.getUTCSeconds() / 2);
    const dosDate = ((when.getUTCFullYear() - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate();
    const unixSeconds = Math.floor(when.getTime() / 1000);

    const cd = Buffer.alloc(cdSize);
    await file.read(cd, 0, cdSize, cdOffset);
    let p = 0;
    for (let n = 0; n < entries; n++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`corrupt central directory in ${path}`);
      cd.writeUInt16LE(dosTime, p + 12);
      cd.writeUInt16LE(dosDate, p + 14);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      const localOffset = cd.readUInt32LE(p + 42);
      pinExtendedTimestamps(cd, p + 46 + nameLength, extraLength, unixSeconds);

      const local = Buffer.alloc(30);
      await file.read(local, 0, 30, localOffset);
      if (local.readUInt32LE(0) !== 0x04034b50) throw new Error(`corrupt local header in ${path}`);
      local.writeUInt16LE(dosTime, 10);
      local.writeUInt16LE(dosDate, 12);
      const localName = local.readUInt16LE(26);
      const localExtraLength = local.readUInt16LE(28);
      await file.write(local, 0, 30, localOffset);
      if (localExtraLength > 0) {
        const extra = Buffer.alloc(localExtraLength);
        await file.read(extra, 0, localExtraLength, localOffset + 30 + localName);
        if (pinExtendedTimestamps(extra, 0, localExtraLength, unixSeconds)) {
          await file.write(extra, 0, localExtraLength, localOffset + 30 + localName);
        }
      }
      p += 46 + nameLength + extraLength + commentLength;
    }
    await file.write(cd, 0, cdSize, cdOffset);
  } finally {
    await file.close();
  }
}

/** Sets the times of an extended-timestamp (0x5455) extra field; returns whether one was found. */
function pinExtendedTimestamps(buf: Buffer, start: number, length: number, unixSeconds: number): boolean {
  let found = false;
  let q = start;
  while (q + 4 <= start + length) {
    const id = buf.readUInt16LE(q);
    const size = buf.readUInt16LE(q + 2);
    if (id === 0x5455) {
      for (let t = q + 5; t + 4 <= q + 4 + size; t += 4) buf.writeUInt32LE(unixSeconds, t);
      found = true;
    }
    q += 4 + size;
  }
  return found;
}
