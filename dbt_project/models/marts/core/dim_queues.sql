with

calls as (
    select * from {{ ref('fct_queue_calls') }}
),

aggregated_to_queue as (
    select
        queue_name,
        min(entered_at) as first_offered_at,
        max(entered_at) as last_offered_at,
        cast(count(*) as bigint) as lifetime_offered
    from calls
    group by queue_name
),

final as (
    select
        queue_name,
        first_offered_at,
        last_offered_at,
        lifetime_offered
    from aggregated_to_queue
)

select * from final
