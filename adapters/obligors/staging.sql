-- stg_obligors: one row per (被赡养人, 义务人) pair of the assistance system's snapshot
-- (docs/obligors-and-marriages.md, feed obligors). Reads typed_obligors and checks:
--   关系 → relation, spaces dropped first, one of seven codes:
--     子 (儿子, 长子, 次子), 女 (女儿, 长女, 次女), 配偶 (夫, 妻, 丈夫, 妻子),
--     父母 (父, 母, 父亲, 母亲), 兄弟姐妹 (兄, 弟, 姐, 妹, 哥哥, 弟弟, 姐姐, 妹妹, 兄弟, 姐妹),
--     祖父母 (祖父, 祖母, 外祖父, 外祖母, 外祖父母), 孙子女 (孙子, 孙女, 外孙, 外孙子, 外孙女, 外孙子女).
--     Anything else is unknown_code|relation.
--   义务人家庭人口数: an integer (else bad_number, generic checks: digits, a sign, a trailing .0)
--     from 1 to 30, else unknown_code|obligor_family_size.
--   义务人户籍区划 (optional): spaces dropped, 6, 9 or 12 digits, the first six staged (any county:
--     an obligor may live outside the region, int_obligors.sql names theirs when it is one of
--     divisions), else unknown_code|obligor_county.
--   An obligor who is the recipient (义务人身份证号 = 被赡养人身份证号, after normalisation) is
--     unknown_code|obligor_id.
-- Checks run in column order: the first problem of a row is its reason.
with coded as (
  -- values arrive trimmed (pipeline/load/stage.ts)
  select
    *,
    replace(relation, ' ', '') as relation_text,
    replace(obligor_county, ' ', '') as county_digits
  from typed_obligors
),

relations as (
  select
    *,
    case
      when relation_text in ('子', '儿子', '长子', '次子') then '子'
      when relation_text in ('女', '女儿', '长女', '次女') then '女'
      when relation_text in ('配偶', '夫', '妻', '丈夫', '妻子') then '配偶'
      when relation_text in ('父母', '父', '母', '父亲', '母亲') then '父母'
      when relation_text in ('兄弟姐妹', '兄', '弟', '姐', '妹', '哥哥', '弟弟', '姐姐', '妹妹', '兄弟', '姐妹') then '兄弟姐妹'
      when relation_text in ('祖父母', '祖父', '祖母', '外祖父', '外祖母', '外祖父母') then '祖父母'
      when relation_text in ('孙子女', '孙子', '孙女', '外孙', '外孙子', '外孙女', '外孙子女') then '孙子女'
    end as relation_code
  from coded
),

final as (
  select
    line,
    row_hash,
    household_id,
    supported_id,
    obligor_id,
    obligor_name,
    relation_code as relation,
    obligor_family_size,
    substr(county_digits, 1, 6) as obligor_county,
    auth_signed_on,
    auth_valid_until,
    coalesce(
      generic_problem,
      case
        when obligor_id = supported_id then 'unknown_code|obligor_id'
        when relation_text is not null and relation_code is null then 'unknown_code|relation'
        when obligor_family_size not between 1 and 30 then 'unknown_code|obligor_family_size'
        when not regexp_full_match(county_digits, '[0-9]{6}([0-9]{3}){0,2}') then 'unknown_code|obligor_county'
      end
    ) as problem
  from relations
)

select * from final
