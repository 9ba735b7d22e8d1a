{#- One row per call (queue_log callid): a transferred call visits several queues but is one
    contact. Its first queue entry gives the start and the queue, its first answered entry the
    agent; its wait is the sum of its entries' waits; the caller is the ENTERQUEUE caller id, else
    the CDR's `src` (both pseudonymized). -#}
with

entries as (
    select * from {{ ref('fct_queue_calls') }}
),

ordered as (
    select
        *,
        row_number() over (partition by callid order by entered_at, queue_entry_id) as entry_order,
        row_number() over (
            partition by callid, is_answered
            order by entered_at, queue_entry_id
        ) as answered_order
    from entries
),

summarized as (
    select
        callid,
        min(entered_at) as started_at,
        max(case when entry_order = 1 then queue_name end) as queue_name,
        max(case when entry_order = 1 then report_date end) as report_date,
        max(case when is_answered and answered_order = 1 then agent_id end) as agent_id,
        count(distinct queue_name) > 1 or coalesce(bool_or(is_transferred), false) as is_transferred,
        coalesce(bool_or(is_answered), false) as is_answered,
        max(case when entry_order = 1 then outcome end) as first_outcome,
        sum(wait_seconds) as wait_seconds
    from ordered
    group by callid
),

enterqueue_callers as (
    select callid, min(nullif(trim(data2), '')) as caller_phone_hash
    from {{ ref('stg_telephony__queue_log_events') }}
    where event_name = 'ENTERQUEUE'
    group by callid
),

cdr_callers as (
    select callid, min(caller_phone_hash) as caller_phone_hash
    from {{ ref('stg_telephony__cdr_records') }}
    group by callid
)

select
    summarized.callid,
    summarized.started_at,
    summarized.report_date,
    summarized.queue_name,
    summarized.agent_id,
    summarized.is_transferred,
    case when summarized.is_answered then 'answered' else summarized.first_outcome end as outcome,
    summarized.wait_seconds,
    coalesce(enterqueue_callers.caller_phone_hash, cdr_callers.caller_phone_hash) as caller_phone_hash
from summarized
left join enterqueue_callers
    on summarized.callid = enterqueue_callers.callid
left join cdr_callers
    on summarized.callid = cdr_callers.callid
