{#- The daily mart and the interval mart count the same calls: every daily count equals the sum
    of that day's intervals. Shown in Dagster as a check of kpi_queue_daily. -#}
{{ config(meta={'dagster': {'ref': {'name': 'kpi_queue_daily'}}}) }}
with

daily as (
    select * from {{ ref('kpi_queue_daily') }}
),

intervals_summed as (
    select
        queue_name,
        report_date,
        sum(offered) as offered,
        sum(answered) as answered,
        sum(abandoned) as abandoned,
        sum(answered_within_sl) as answered_within_sl,
        sum(handled) as handled,
        sum(answered_wait_seconds) as answered_wait_seconds,
        sum(handle_seconds) as handle_seconds
    from {{ ref('kpi_queue_interval') }}
    group by queue_name, report_date
)

select
    daily.queue_name,
    daily.report_date
from daily
full outer join intervals_summed
    on daily.queue_name = intervals_summed.queue_name
    and daily.report_date = intervals_summed.report_date
where daily.queue_name is null
    or intervals_summed.queue_name is null
    or daily.offered <> intervals_summed.offered
    or daily.answered <> intervals_summed.answered
    or daily.abandoned <> intervals_summed.abandoned
    or daily.answered_within_sl <> intervals_summed.answered_within_sl
    or daily.handled <> intervals_summed.handled
    or abs(daily.answered_wait_seconds - intervals_summed.answered_wait_seconds) > 0.001
    or abs(daily.handle_seconds - intervals_summed.handle_seconds) > 0.001
