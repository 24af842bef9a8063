-- stg_requests: the rows of a check-request form (pipeline/requests/form.ts), checked one by one.
-- What makes a request whole (every member authorized, one applicant, the same request fields on
-- every row) is judged per request after this (pipeline/requests/intake.ts), since a row cannot
-- see its request's other rows here.
--   委托编号: letters, digits, Chinese, - _ and brackets, 1–40 (it names the report's folder: no
--     '/', '.', space) else bad_request_no.
--   委托单位: 6, 9 or 12 digits whose first six are a county of the region (divisions) else
--     unknown_county.
--   核对类型: 新申请 (新申请核对, 申请) or 复核 (复查, 定期复核) else unknown_code.
--   申请类别: as the roster names programs (城市低保 … 低保边缘, 城市/农村低保边缘 staged as 低保边缘
--     with its 城乡 kept); blank: 城市低保 in a 区, else 农村低保 (a county's type, as int_households
--     decides 城乡 without a stated one); else unknown_code.
--   与申请人关系: 本人 or 申请人 marks the applicant (is_applicant).
--   授权书签署日期: empty is missing_authorization; after 委托日期, authorization_after_request.
-- Checks run in column order: the first problem of a row is its reason.
with coded as (
  -- values arrive trimmed (pipeline/load/stage.ts)
  select
    *,
    replace(county_code, ' ', '') as county_digits,
    replace(kind, ' ', '') as kind_text,
    replace(program, ' ', '') as program_text,
    replace(relation, ' ', '') as relation_text
  from typed_requests
),

decided as (
  select
    c.*,
    d.county_code as known_county,
    d.is_urban,
    regexp_full_match(c.request_no, '[0-9A-Za-z\x{4e00}-\x{9fff}_()（）〔〕\[\]-]{1,40}') as request_no_ok,
    case
      when kind_text in ('新申请', '新申请核对', '申请') then '新申请'
      when kind_text in ('复核', '复查', '定期复核') then '复核'
    end as kind_code,
    case
      when program_text is null then case when d.is_urban then '城市低保' else '农村低保' end
      when program_text in ('城市低保边缘', '农村低保边缘') then '低保边缘'
      when program_text in ('城市低保', '农村低保', '城市特困', '农村特困', '低保边缘') then program_text
    end as program_code,
    case when starts_with(program_text, '城市') then '城市' when starts_with(program_text, '农村') then '农村' end as program_urban_rural
  from coded c
  left join divisions d
    on regexp_full_match(c.county_digits, '[0-9]{6}([0-9]{3}){0,2}') and d.county_code = substr(c.county_digits, 1, 6)
),

final as (
  select
    line,
    row_hash,
    -- the request a row belongs to, when it names one: county/委托编号
    case when request_no_ok and known_county is not null then known_county || '/' || request_no end as request_key,
    request_no,
    known_county as county_code,
    requested_on,
    kind_code as kind,
    program_code as program,
    program_urban_rural,
    household_ref,
    person_id,
    name,
    relation_text as relation,
    relation_text in ('本人', '申请人') as is_applicant,
    authorization_signed_on,
    coalesce(
      generic_problem,
      case
        when not request_no_ok then 'bad_request_no|request_no'
        when known_county is null then 'unknown_county|county_code'
        when kind_code is null then 'unknown_code|kind'
        when program_code is null then 'unknown_code|program'
        when authorization_signed_on is null then 'missing_authorization|authorization_signed_on'
        when authorization_signed_on > requested_on then 'authorization_after_request|authorization_signed_on'
      end
    ) as problem
  from decided
)

select * from final
