{#- The helpdesk backlog: tickets open at the end of each site-local day (created before the end
    of the day and neither solved, closed nor deleted then), counted by the status, channel and
    group they had at that instant. A change at exactly local midnight belongs to the next day. -#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

history as (
    select * from {{ ref('int_zendesk__ticket_field_history') }}
    where field_name in ('status', 'group_id')
),

groups as (
    select * from {{ ref('stg_zendesk__groups') }}
),

bounds as (
    select
        min(report_date) as first_day,
        (
            select cast(max({{ to_site_local('audited_at') }}) as date)
            from {{ ref('stg_zendesk__ticket_events') }}
        ) as last_day
    from tickets
),

days as (
    {{ date_series('(select first_day from bounds)', '(select coalesce(last_day, first_day) from bounds)') }}
),

day_ends as (
    select
        day as report_date,
        {{ local_to_instant(dbt.dateadd('day', 1, 'cast(day as timestamp)'), "'" ~ var('site_timezone') ~ "'") }}
            as day_end_at
    from days
),

status_spans as (
    -- Every span of time a ticket spent in one status; a ticket whose audits were not loaded
    -- (created before the source's start date) has one span from creation in its current status.
    select ticket_id, value as status, valid_from, valid_until
    from history
    where field_name = 'status'
    union all
    select ticket_id, status, created_at, null
    from tickets
    where not exists (
        select 1 from history where history.ticket_id = tickets.ticket_id and history.field_name = 'status'
    )
),

open_at_day_end as (
    -- A range join on the open spans only: each open ticket meets each day it was open at the end of.
    select
        day_ends.report_date,
        day_ends.day_end_at,
        status_spans.ticket_id,
        status_spans.status
    from status_spans
    inner join day_ends
        on status_spans.valid_from < day_ends.day_end_at
        -- A two-sided range (no OR) lets the engine join by range instead of testing every pair.
        and coalesce(status_spans.valid_until, {{ far_future() }}) >= day_ends.day_end_at
    where status_spans.status not in ('solved', 'closed', 'deleted')
),

with_group as (
    select
        open_at_day_end.report_date,
        tickets.channel,
        coalesce(cast({{ safe_cast_number('group_spans.value') }} as bigint), tickets.group_id) as group_id,
        open_at_day_end.status
    from open_at_day_end
    inner join tickets
        on open_at_day_end.ticket_id = tickets.ticket_id
    left join history as group_spans
        on open_at_day_end.ticket_id = group_spans.ticket_id
        and group_spans.field_name = 'group_id'
        and group_spans.valid_from < open_at_day_end.day_end_at
        and (group_spans.valid_until >= open_at_day_end.day_end_at or group_spans.valid_until is null)
),

backlog as (
    select
        report_date,
        channel,
        group_id,
        status,
        count(*) as backlog_tickets
    from with_group
    group by report_date, channel, group_id, status
)

select
    backlog.report_date,
    backlog.channel,
    backlog.group_id,
    groups.group_name,
    backlog.status,
    backlog.backlog_tickets
from backlog
left join groups
    on backlog.group_id = groups.group_id
