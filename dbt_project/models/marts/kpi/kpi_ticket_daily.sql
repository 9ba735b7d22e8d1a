{#- Ticket KPIs per site-local day, channel and group (KPI_DEFINITIONS.md "Tickets, chat, email,
    messaging"; D16-D17). Three attributions, as for calls:
    - created, and the first reply and resolution times, count on the ticket's creation day in
      the group it was created in (like a call's wait belongs to the day it was offered);
    - solved, one-touch, reopened, replies and satisfaction count on the day of the first solve in
      the group the ticket had then;
    - backlog counts the tickets open at the end of the day in the group they had then.
    Deleted tickets (spam) are counted apart, never as created. Every ratio comes with its
    numerator and denominator. -#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

backlog as (
    select report_date, channel, group_id, sum(backlog_tickets) as backlog
    from {{ ref('fct_ticket_backlog_daily') }}
    group by report_date, channel, group_id
),

groups as (
    select * from {{ ref('stg_zendesk__groups') }}
),

by_creation as (
    select
        report_date,
        channel,
        created_group_id as group_id,
        count(case when not is_deleted then 1 end) as created,
        count(case when not is_deleted and not is_outbound then 1 end) as created_inbound,
        count(case when not is_deleted and is_outbound then 1 end) as created_outbound,
        count(case when is_deleted then 1 end) as deleted,
        count(case when not is_deleted then first_reply_minutes end) as first_reply_count,
        sum(case when not is_deleted then first_reply_minutes end) as first_reply_minutes_sum,
        sum(case when not is_deleted then first_reply_business_minutes end) as first_reply_business_minutes_sum,
        count(case when not is_deleted then first_resolution_minutes end) as first_resolution_count,
        sum(case when not is_deleted then first_resolution_minutes end) as first_resolution_minutes_sum,
        sum(case when not is_deleted then first_resolution_business_minutes end)
            as first_resolution_business_minutes_sum,
        count(case when not is_deleted then full_resolution_minutes end) as full_resolution_count,
        sum(case when not is_deleted then full_resolution_minutes end) as full_resolution_minutes_sum,
        sum(case when not is_deleted then full_resolution_business_minutes end)
            as full_resolution_business_minutes_sum
    from tickets
    group by report_date, channel, created_group_id
),

by_first_solve as (
    select
        cast({{ to_site_local('first_solved_at') }} as date) as report_date,
        channel,
        solved_group_id as group_id,
        count(*) as solved,
        count(case when is_one_touch_resolution then 1 end) as one_touch_resolved,
        count(case when reopens > 0 then 1 end) as reopened,
        sum(reopens) as reopens,
        sum(public_agent_replies) as solved_public_agent_replies,
        count(case when satisfaction_score in ('offered', 'good', 'bad') then 1 end) as satisfaction_offered,
        count(case when satisfaction_score = 'good' then 1 end) as satisfaction_good,
        count(case when satisfaction_score = 'bad' then 1 end) as satisfaction_bad
    from tickets
    where first_solved_at is not null
        and not is_deleted
    group by 1, channel, solved_group_id
),

keys as (
    select report_date, channel, group_id from by_creation
    union
    select report_date, channel, group_id from by_first_solve
    union
    select report_date, channel, group_id from backlog
),

joined as (
    select
        keys.report_date,
        keys.channel,
        keys.group_id,
        groups.group_name,
        coalesce(by_creation.created, 0) as created,
        coalesce(by_creation.created_inbound, 0) as created_inbound,
        coalesce(by_creation.created_outbound, 0) as created_outbound,
        coalesce(by_creation.deleted, 0) as deleted,
        coalesce(by_first_solve.solved, 0) as solved,
        cast(coalesce(backlog.backlog, 0) as bigint) as backlog,
        coalesce(by_creation.first_reply_count, 0) as first_reply_count,
        coalesce(by_creation.first_reply_minutes_sum, 0) as first_reply_minutes_sum,
        coalesce(by_creation.first_reply_business_minutes_sum, 0) as first_reply_business_minutes_sum,
        coalesce(by_creation.first_resolution_count, 0) as first_resolution_count,
        coalesce(by_creation.first_resolution_minutes_sum, 0) as first_resolution_minutes_sum,
        coalesce(by_creation.first_resolution_business_minutes_sum, 0) as first_resolution_business_minutes_sum,
        coalesce(by_creation.full_resolution_count, 0) as full_resolution_count,
        coalesce(by_creation.full_resolution_minutes_sum, 0) as full_resolution_minutes_sum,
        coalesce(by_creation.full_resolution_business_minutes_sum, 0) as full_resolution_business_minutes_sum,
        coalesce(by_first_solve.one_touch_resolved, 0) as one_touch_resolved,
        coalesce(by_first_solve.reopened, 0) as reopened,
        cast(coalesce(by_first_solve.reopens, 0) as bigint) as reopens,
        cast(coalesce(by_first_solve.solved_public_agent_replies, 0) as bigint) as solved_public_agent_replies,
        coalesce(by_first_solve.satisfaction_offered, 0) as satisfaction_offered,
        coalesce(by_first_solve.satisfaction_good, 0) as satisfaction_good,
        coalesce(by_first_solve.satisfaction_bad, 0) as satisfaction_bad
    from keys
    left join by_creation
        on keys.report_date = by_creation.report_date
        and keys.channel = by_creation.channel
        and {{ null_safe_equal('keys.group_id', 'by_creation.group_id') }}
    left join by_first_solve
        on keys.report_date = by_first_solve.report_date
        and keys.channel = by_first_solve.channel
        and {{ null_safe_equal('keys.group_id', 'by_first_solve.group_id') }}
    left join backlog
        on keys.report_date = backlog.report_date
        and keys.channel = backlog.channel
        and {{ null_safe_equal('keys.group_id', 'backlog.group_id') }}
    left join groups
        on keys.group_id = groups.group_id
),

final as (
    select
        *,
        {{ safe_ratio('first_reply_minutes_sum', 'first_reply_count') }} as first_reply_minutes_avg,
        {{ safe_ratio('first_reply_business_minutes_sum', 'first_reply_count') }} as first_reply_business_minutes_avg,
        {{ safe_ratio('first_resolution_minutes_sum', 'first_resolution_count') }} as first_resolution_minutes_avg,
        {{ safe_ratio('first_resolution_business_minutes_sum', 'first_resolution_count') }}
            as first_resolution_business_minutes_avg,
        {{ safe_ratio('full_resolution_minutes_sum', 'full_resolution_count') }} as full_resolution_minutes_avg,
        {{ safe_ratio('full_resolution_business_minutes_sum', 'full_resolution_count') }}
            as full_resolution_business_minutes_avg,
        {{ safe_ratio('solved', 'created') }} as resolution_rate,
        {{ safe_ratio('one_touch_resolved', 'solved') }} as one_touch_resolution_rate,
        {{ safe_ratio('reopened', 'solved') }} as reopen_rate,
        {{ safe_ratio('solved_public_agent_replies', 'solved') }} as interactions_per_ticket,
        {{ safe_ratio('satisfaction_good', 'satisfaction_good + satisfaction_bad') }} as csat
    from joined
)

select * from final
