-- int_pending_authorization: households not matched, for their county to collect the authorization.
select household_id, county_code, authorization_problem as reason
from int_households
where authorization_problem is not null
