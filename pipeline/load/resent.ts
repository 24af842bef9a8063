/**
 * Re-sent files (重复报送): a department sends the same records again under another name, in
 * another encoding or column order. Loaded beside the first file, every record would count twice.
 *
 * A new file's clean rows are compared with the clean rows of the other files staged for the same
 * feed and period (its peers: loads staged and not superseded by this load, and files of the same
 * folder prepared earlier in this load), record by record on the staged, typed values — every
 * staged column but load_id, line and problem — so line endings, encoding, column order, spacing
 * and the file's name make no difference. Grain of the comparison: one row of the new file.
 *
 *   - share of the file's rows (of rows read) found in a peer ≥ maxShare: the file is rejected
 *     whole, naming the peer(s);
 *   - below it, the rows found in a peer are quarantined as `duplicate_row`, so no record counts
 *     twice; they do not count towards the quarantine-share gate (they are no fault of the rows).
 *
 * A folder with no peer costs nothing: no pass is made.
 */
import { rename, rm } from 'node:fs/promises';
import type { Warehouse } from '../warehouse.ts';
import { literal } from '../sql.ts';
import { STAGED_PARQUET } from '../staged.ts';

export const DEFAULT_MAX_RESENT_SHARE = 0.5;

/** A staged file of the same feed and period: its data file (relative to the data folder) and its Parquet file (absolute). */
export interface StagedPeer {
  file: string;
  path: string;
}

export interface ResentCheck {
  /** the share of a file's rows, found in a peer, at or above which the file is rejected */
  maxShare: number;
  peers: StagedPeer[];
}

export interface ResentResult {
  /** set when the file is rejected as re-sent */
  reason?: string;
  /** rows of the file now quarantined as duplicate_row because a peer holds them */
  duplicates: number;
}

/** The record a staged row holds: every staged column but the load, the line and the problem. */
const RECORD = 'hash(*columns(* exclude (load_id, line, problem)))';

/**
 * Compares the checked rows at `checkedPath` with the peers; marks the rows a peer holds (the
 * Parquet file is rewritten under the same name) or answers why the whole file is rejected.
 */
export async function markResentRows(
  w: Warehouse,
  feedId: string,
  checkedPath: string,
  read: number,
  check: ResentCheck,
): Promise<ResentResult> {
  if (check.peers.length === 0 || read === 0) return { duplicates: 0 };
  const peers = `[${check.peers.map((p) => literal(p.path)).join(', ')}]`;
  // one row per (row of the new file, peer holding its record)
  await w.exec(
    `${feedId}:resent`,
    `create or replace temp table resent_rows as
     with peer_records as (
       select distinct filename as peer_path, hash(*columns(* exclude (load_id, line, problem, filename))) as record
       from read_parquet(${peers}, filename = true) where problem is null
     ),
     own_records as (
       select line, ${RECORD} as record from read_parquet(${literal(checkedPath)}) where problem is null
     )
     select own_records.line, peer_records.peer_path from own_records join peer_records using (record)`,
  );
  try {
    const total = (await w.one<{ n: number }>(`${feedId}:resent-count`, 'select count(distinct line)::integer as n from resent_rows'))!.n;
    if (total === 0) return { duplicates: 0 };
    const share = total / read;
    if (share >= check.maxShare) {
      const byPeer = await w.rows<{ peer_path: string; n: number }>(
        `${feedId}:resent-peers`,
        'select peer_path, count(*)::integer as n from resent_rows group by peer_path order by n desc, peer_path',
      );
      const names = byPeer.slice(0, 3).map((p) => check.peers.find((q) => q.path === p.peer_path)?.file ?? p.peer_path);
      const more = byPeer.length > names.length ? ` +${byPeer.length - names.length}` : '';
      return {
        duplicates: 0,
        reason:
          `重复报送：与已入库文件 ${names.join('、')}${more} 的记录重复 (${total}/${read} 行, ${(share * 100).toFixed(1)}%)，整个文件退回 ` +
          `(re-sent file: duplicates ${names.join(', ')}${more})`,
      };
    }
    const marked = `${checkedPath}.resent`;
    try {
      await w.exec(
        `${feedId}:resent-mark`,
        `copy (
           select * replace (coalesce(problem, case when line in (select line from resent_rows) then 'duplicate_row|' end) as problem)
           from read_parquet(${literal(checkedPath)})
         ) to ${literal(marked)} ${STAGED_PARQUET}`,
      );
      await rename(marked, checkedPath);
    } catch (e) {
      await rm(marked, { force: true });
      throw e;
    }
    return { duplicates: total };
  } finally {
    await w.exec('cleanup-resent', 'drop table if exists resent_rows');
  }
}
