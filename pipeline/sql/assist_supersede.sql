-- assist_supersede: after assist_record.sql, an earlier period's unanswered request about the same
-- person and place as one of this period's is superseded by it (asked again after recheck_months):
-- it leaves the lists of requests waiting for an answer. An answer that still arrives for it is taken.
update assist_requests q
set superseded_by = n.request_id
from assist_requests n
where n.period = $period
  and q.period < $period
  and n.person_id = q.person_id and n.kind = q.kind and n.target_code = q.target_code
  and q.answered_on is null and q.superseded_by is null
