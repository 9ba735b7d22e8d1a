{#- Cost per contact per site-local day and channel (KPI_DEFINITIONS.md cost_per_contact; D29):
    (agent paid hours x hourly cost + the channel's fixed cost) / handled contacts. Paid time is
    a phone agent's logged-in time and a digital (helpdesk) agent's scheduled time as it falls due
    (they have no state feed). Phone agents' cost goes to voice; digital agents' cost of the
    day is shared over the ticket channels by the tickets solved in each that day, or, on a day
    without solves, kept on the row `unallocated`, so that the day's total cost is never lost. A
    channel's fixed cost counts on every day once the channel is in use (has handled a contact).
    Handled contacts: calls handled (answered and completed, on the day offered) plus tickets
    solved for the first time that day, per channel. -#}
with

agent_days as (
    select * from {{ ref('kpi_agent_daily') }}
),

calls as (
    select * from {{ ref('kpi_queue_daily') }}
),

tickets as (
    select * from {{ ref('kpi_ticket_daily') }}
),

team_costs as (
    select * from {{ ref('agent_costs') }}
),

channel_costs as (
    select * from {{ ref('channel_costs') }}
),

default_cost as (
    select hourly_cost from team_costs where team_name = '*'
),

paid as (
    select
        agent_days.report_date,
        agent_days.is_phone_agent,
        case when agent_days.is_phone_agent then agent_days.logged_in_seconds
            else agent_days.scheduled_seconds end as paid_seconds,
        coalesce(team_costs.hourly_cost, (select hourly_cost from default_cost)) as hourly_cost
    from agent_days
    left join team_costs
        on agent_days.team_name = team_costs.team_name
),

agent_cost_days as (
    select
        report_date,
        sum(case when is_phone_agent then paid_seconds else 0 end) as phone_paid_seconds,
        sum(case when is_phone_agent then paid_seconds * hourly_cost / 3600 else 0 end) as phone_agent_cost,
        sum(case when not is_phone_agent then paid_seconds else 0 end) as digital_paid_seconds,
        sum(case when not is_phone_agent then paid_seconds * hourly_cost / 3600 else 0 end) as digital_agent_cost
    from paid
    group by report_date
),

handled as (
    select report_date, 'voice' as channel, sum(handled) as calls_handled, 0 as tickets_solved
    from calls
    group by report_date
    union all
    select report_date, channel, 0 as calls_handled, sum(solved) as tickets_solved
    from tickets
    group by report_date, channel
),

handled_days as (
    select report_date, channel, sum(calls_handled) as calls_handled, sum(tickets_solved) as tickets_solved
    from handled
    group by report_date, channel
),

days as (
    -- Every day with agent cost or handled contacts (kpi_agent_daily reports only the days its
    -- data covers, and scheduled time only as it falls due: tomorrow's schedule costs nothing).
    select report_date from agent_cost_days
    union
    select report_date from handled_days
),

channels as (
    -- The channels in use: those with a handled contact on any day (a channel's fixed cost counts
    -- on every day once it is in use; a seed row for a channel never seen adds nothing).
    select distinct channel from handled_days
    where calls_handled + tickets_solved > 0
),

grid as (
    select days.report_date, channels.channel
    from days
    cross join channels
    union all
    select report_date, 'unallocated' as channel
    from agent_cost_days
    where digital_agent_cost > 0
        and not exists (
            select 1 from handled_days
            where handled_days.report_date = agent_cost_days.report_date and handled_days.tickets_solved > 0
        )
),

day_solves as (
    select report_date, sum(tickets_solved) as tickets_solved
    from handled_days
    group by report_date
),

shares as (
    -- Which part of the day's phone and digital agent time each row carries.
    select
        grid.report_date,
        grid.channel,
        coalesce(handled_days.calls_handled, 0) as calls_handled,
        coalesce(handled_days.tickets_solved, 0) as tickets_solved,
        case when grid.channel = 'voice' then 1.0 else 0.0 end as phone_share,
        case
            when grid.channel = 'unallocated' then 1.0
            when day_solves.tickets_solved > 0
                then cast(coalesce(handled_days.tickets_solved, 0) as double precision) / day_solves.tickets_solved
            else 0.0
        end as digital_share,
        coalesce(channel_costs.fixed_cost_per_day, 0) as fixed_cost
    from grid
    left join handled_days
        on grid.report_date = handled_days.report_date and grid.channel = handled_days.channel
    left join day_solves
        on grid.report_date = day_solves.report_date
    left join channel_costs
        on grid.channel = channel_costs.channel
),

allocated as (
    select
        shares.report_date,
        shares.channel,
        shares.calls_handled,
        shares.tickets_solved,
        shares.phone_share * coalesce(agent_cost_days.phone_paid_seconds, 0)
            + shares.digital_share * coalesce(agent_cost_days.digital_paid_seconds, 0) as paid_seconds,
        shares.phone_share * coalesce(agent_cost_days.phone_agent_cost, 0)
            + shares.digital_share * coalesce(agent_cost_days.digital_agent_cost, 0) as agent_cost,
        shares.fixed_cost
    from shares
    left join agent_cost_days
        on shares.report_date = agent_cost_days.report_date
),

final as (
    select
        report_date,
        channel,
        cast(calls_handled + tickets_solved as bigint) as handled_contacts,
        cast(calls_handled as bigint) as calls_handled,
        cast(tickets_solved as bigint) as tickets_solved,
        cast(paid_seconds as double precision) / 3600 as paid_hours,
        cast(agent_cost as numeric(18, 4)) as agent_cost,
        cast(fixed_cost as numeric(18, 4)) as fixed_cost,
        cast(agent_cost + fixed_cost as numeric(18, 4)) as total_cost,
        {{ safe_ratio('agent_cost + fixed_cost', 'calls_handled + tickets_solved') }} as cost_per_contact
    from allocated
)

select * from final
