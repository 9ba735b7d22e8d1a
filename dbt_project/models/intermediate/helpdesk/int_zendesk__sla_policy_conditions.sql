{#- The conditions of each SLA policy, one row each: `all` (every one must hold) or `any` (one of
    them must, when there are any). The value is text (a via id, a group id, a priority). -#}
with

policies as (
    select * from {{ ref('stg_zendesk__sla_policies') }}
),

elements as (
    select sla_policy_id, 'all' as condition_set,
        {{ unnest_json_array("cast(filter_json as " ~ json_type() ~ ") -> 'all'") }} as condition
    from policies
    where filter_json is not null
    union all
    select sla_policy_id, 'any' as condition_set,
        {{ unnest_json_array("cast(filter_json as " ~ json_type() ~ ") -> 'any'") }} as condition
    from policies
    where filter_json is not null
)

select
    sla_policy_id,
    condition_set,
    lower(condition ->> 'field') as field,
    lower(condition ->> 'operator') as operator,
    condition ->> 'value' as value
from elements
