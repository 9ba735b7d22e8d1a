{#- One row per SLA clock of a ticket (KPI_DEFINITIONS.md sla_breached; D19): the policy and target
    that applied, when it started and was fulfilled, the time elapsed (calendar or business, as
    the policy says) and whether it breached. A clock still running is measured up to the latest
    audit loaded (`as_of`): breached once over its target, NULL before. -#}
with

starts as (
    select * from {{ ref('int_zendesk__sla_clock_starts') }}
),

history as (
    select * from {{ ref('int_zendesk__ticket_field_history') }}
    where field_name in ('group_id', 'priority', 'status')
),

policies as (
    select * from {{ ref('stg_zendesk__sla_policies') }}
),

conditions as (
    select * from {{ ref('int_zendesk__sla_policy_conditions') }}
),

policy_metrics as (
    select * from {{ ref('stg_zendesk__sla_policy_metrics') }}
),

via_types as (
    select * from {{ ref('zendesk_via_types') }}
),

as_of as (
    select max(audited_at) as as_of_at from {{ ref('stg_zendesk__ticket_events') }}
),

keyed as (
    select
        *,
        cast(ticket_id as varchar) || '|' || metric || '|' || cast(start_seq as varchar) as start_key
    from starts
),

state_values as (
    -- The ticket's group and priority right after the audit that starts the clock.
    select
        keyed.start_key,
        history.field_name,
        history.value,
        row_number() over (
            partition by keyed.start_key, history.field_name
            order by history.valid_from desc, history.audit_id desc, history.change_seq desc
        ) as recency
    from keyed
    inner join history
        on keyed.ticket_id = history.ticket_id
        and history.field_name in ('group_id', 'priority')
        and (
            history.valid_from < keyed.started_at
            or (history.valid_from = keyed.started_at and history.audit_id <= keyed.start_audit_id)
        )
),

states as (
    select
        keyed.*,
        cast({{ safe_cast_number("max(case when state_values.field_name = 'group_id' then state_values.value end)") }}
            as bigint) as group_id_then,
        max(case when state_values.field_name = 'priority' then state_values.value end) as priority_then
    from keyed
    left join state_values
        on keyed.start_key = state_values.start_key
        and state_values.recency = 1
    group by {% for c in ['ticket_id', 'metric', 'start_audit_id', 'started_at', 'fulfilled_at', 'reply_cycle',
        'start_seq', 'channel', 'schedule_id', 'start_key'] %}keyed.{{ c }}{{ ", " if not loop.last }}{% endfor %}
),

evaluated as (
    -- Each condition of each policy against the state: via_id through the via-types seed,
    -- group_id and priority by value, operators is / is_not; anything else does not hold.
    select
        states.start_key,
        policies.sla_policy_id,
        policies.sla_policy_position,
        conditions.condition_set,
        case
            when conditions.condition_set is null then null
            when conditions.operator not in ('is', 'is_not') then false
            else (
                case conditions.field
                    when 'via_id' then coalesce(via_types.channel = states.channel, false)
                    when 'group_id' then coalesce(cast({{ safe_cast_number('conditions.value') }} as bigint) = states.group_id_then, false)
                    when 'priority' then coalesce(lower(conditions.value) = states.priority_then, false)
                    else false
                end
            ) = (conditions.operator = 'is')
        end as holds
    from states
    cross join policies
    left join conditions
        on policies.sla_policy_id = conditions.sla_policy_id
    left join via_types
        on conditions.field = 'via_id'
        and cast({{ safe_cast_number('conditions.value') }} as bigint) = via_types.via_id
),

matching as (
    select
        start_key,
        sla_policy_id,
        sla_policy_position,
        coalesce(min(case when condition_set = 'all' then case when holds then 1 else 0 end end), 1) = 1
            and coalesce(max(case when condition_set = 'any' then case when holds then 1 else 0 end end), 1) = 1
            as is_match
    from evaluated
    group by start_key, sla_policy_id, sla_policy_position
),

applied as (
    select start_key, sla_policy_id
    from (
        select
            start_key,
            sla_policy_id,
            row_number() over (partition by start_key order by sla_policy_position, sla_policy_id) as policy_rank
        from matching
        where is_match
    ) as ranked
    where policy_rank = 1
),

targeted as (
    select
        states.*,
        applied.sla_policy_id,
        policy_metrics.target_minutes,
        policy_metrics.in_business_hours
    from states
    inner join applied
        on states.start_key = applied.start_key
    inner join policy_metrics
        on applied.sla_policy_id = policy_metrics.sla_policy_id
        and states.priority_then = policy_metrics.priority
        and states.metric = policy_metrics.metric
),

clocks as (
    -- Of the end-user comments one agent comment answers, the first with a target starts it.
    select *
    from (
        select
            *,
            row_number() over (
                partition by ticket_id, metric, reply_cycle
                order by start_seq
            ) as cycle_rank
        from targeted
    ) as ranked
    where metric <> 'next_reply_time' or cycle_rank = 1
),

stopped as (
    select
        clocks.*,
        coalesce(clocks.fulfilled_at, as_of.as_of_at) as stopped_at
    from clocks
    cross join as_of
),

wait_spans as (
    -- Requester wait: the spans in new, open or hold between the start and the stop; agent work
    -- time: in new or open only.
    select
        stopped.start_key,
        stopped.schedule_id,
        case when history.valid_from > stopped.started_at then history.valid_from else stopped.started_at end
            as span_start_at,
        case
            when history.valid_until is null or history.valid_until > stopped.stopped_at then stopped.stopped_at
            else history.valid_until
        end as span_end_at
    from stopped
    inner join history
        on stopped.ticket_id = history.ticket_id
        and history.field_name = 'status'
        and (
            history.value in ('new', 'open')
            or (history.value = 'hold' and stopped.metric = 'requester_wait_time')
        )
        and history.valid_from < stopped.stopped_at
    where stopped.metric in ('requester_wait_time', 'agent_work_time')
),

spans as (
    select start_key, schedule_id, span_start_at, span_end_at
    from wait_spans
    where span_end_at > span_start_at
    union all
    select start_key, schedule_id, started_at, stopped_at
    from stopped
    where metric not in ('requester_wait_time', 'agent_work_time')
),

span_points as (
    select start_key, schedule_id, span_start_at, span_end_at, 'start' as end_name, span_start_at as point_at
    from spans
    union all
    select start_key, schedule_id, span_start_at, span_end_at, 'end', span_end_at
    from spans
),

clocked as (
    {{ with_business_clock('span_points', 'point_at') }}
),

span_seconds as (
    select
        start_key,
        span_start_at,
        max({{ seconds_between('span_start_at', 'span_end_at') }}) as calendar_seconds,
        max(case when end_name = 'end' then business_clock_seconds end)
            - max(case when end_name = 'start' then business_clock_seconds end) as business_seconds
    from clocked
    group by start_key, span_start_at
),

elapsed as (
    select
        start_key,
        sum(calendar_seconds) as calendar_seconds,
        sum(business_seconds) as business_seconds
    from span_seconds
    group by start_key
),

final as (
    select
        stopped.ticket_id,
        stopped.metric,
        cast(row_number() over (partition by stopped.ticket_id, stopped.metric order by stopped.started_at, stopped.start_seq)
            as bigint) as instance,
        stopped.sla_policy_id,
        policies.sla_policy_title,
        stopped.priority_then as priority,
        stopped.target_minutes,
        stopped.in_business_hours,
        stopped.channel,
        stopped.group_id_then as group_id,
        stopped.started_at,
        cast({{ to_site_local('stopped.started_at') }} as date) as report_date,
        stopped.fulfilled_at,
        stopped.fulfilled_at is null as is_running,
        coalesce(
            case when stopped.in_business_hours then elapsed.business_seconds else elapsed.calendar_seconds end, 0
        ) / 60.0 as elapsed_minutes,
        case
            when coalesce(case when stopped.in_business_hours then elapsed.business_seconds
                               else elapsed.calendar_seconds end, 0) > stopped.target_minutes * 60 then true
            when stopped.fulfilled_at is not null then false
        end as is_breached
    from stopped
    left join elapsed
        on stopped.start_key = elapsed.start_key
    left join policies
        on stopped.sla_policy_id = policies.sla_policy_id
)

select * from final
