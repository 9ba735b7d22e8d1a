{#- Customers per site-local calendar month and segment: churn, new customers, recurring revenue,
    expansion, orders, repurchase and lifetime value (docs/cx_sources.md "Measures"; D23). A
    customer is active on a day with a contract running that day (start_date <= day <= end_date,
    or no end). One row per month of the period the contacts cover and segment of the CRM. -#}
with

contracts as (
    select * from {{ ref('stg_crm__contracts') }}
),

customers as (
    select customer_id, segment from {{ ref('stg_crm__customers') }}
),

orders as (
    select
        orders.*,
        cast({{ to_site_local('orders.ordered_at') }} as date) as order_date
    from {{ ref('stg_crm__orders') }} as orders
),

bounds as (
    -- The months of the period the contacts cover (the CRM holds years of contracts before it).
    select
        cast({{ dbt.date_trunc('month', to_site_local('min(started_at)')) }} as date) as first_month,
        cast({{ dbt.date_trunc('month', to_site_local('max(started_at)')) }} as date) as last_month
    from {{ ref('fct_contacts') }}
),

days as (
    {{ date_series('(select first_month from bounds)', '(select last_month from bounds)') }}
),

months as (
    select
        day as month_start,
        cast({{ dbt.dateadd('month', 1, 'day') }} as date) as next_month_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'day')) }} as date) as month_end
    from days
    where extract(day from day) = 1
),

contract_customers as (
    select contracts.*, coalesce(customers.segment, 'unknown') as segment
    from contracts
    left join customers
        on contracts.customer_id = customers.customer_id
),

active_at as (
    -- Who is active on each month's first day, last day and the next month's first day.
    select
        months.month_start,
        contract_customers.segment,
        contract_customers.customer_id,
        max(case when contract_customers.start_date <= months.month_start
                and (contract_customers.end_date is null or contract_customers.end_date >= months.month_start)
            then 1 else 0 end) as active_at_start,
        max(case when contract_customers.start_date <= months.next_month_start
                and (contract_customers.end_date is null or contract_customers.end_date >= months.next_month_start)
            then 1 else 0 end) as active_at_next_start,
        sum(case when contract_customers.start_date <= months.month_start
                and (contract_customers.end_date is null or contract_customers.end_date >= months.month_start)
            then contract_customers.monthly_value else 0 end) as mrr_start,
        sum(case when contract_customers.start_date <= months.month_end
                and (contract_customers.end_date is null or contract_customers.end_date >= months.month_end)
            then contract_customers.monthly_value else 0 end) as mrr_end
    from months
    inner join contract_customers
        on contract_customers.start_date < months.next_month_start
    group by months.month_start, contract_customers.segment, contract_customers.customer_id
),

first_contracts as (
    select customer_id, min(start_date) as first_start_date
    from contracts
    group by customer_id
),

customer_months as (
    select
        month_start,
        segment,
        sum(active_at_start) as customers_at_start,
        sum(case when active_at_start = 1 and active_at_next_start = 0 then 1 else 0 end) as churned,
        sum(mrr_start) as mrr_start,
        sum(mrr_end) as mrr_end
    from active_at
    group by month_start, segment
),

new_customers as (
    select
        cast({{ dbt.date_trunc('month', 'first_contracts.first_start_date') }} as date) as month_start,
        coalesce(customers.segment, 'unknown') as segment,
        count(*) as new_customers
    from first_contracts
    left join customers
        on first_contracts.customer_id = customers.customer_id
    group by 1, 2
),

changes as (
    select
        cast({{ dbt.date_trunc('month', 'current_contract.start_date') }} as date) as month_start,
        current_contract.segment,
        sum(case when current_contract.monthly_value > previous_contract.monthly_value
            then current_contract.monthly_value - previous_contract.monthly_value else 0 end) as expansion_revenue,
        sum(case when current_contract.monthly_value < previous_contract.monthly_value
            then previous_contract.monthly_value - current_contract.monthly_value else 0 end) as contraction_revenue
    from contract_customers as current_contract
    inner join contracts as previous_contract
        on current_contract.previous_contract_id = previous_contract.contract_id
    group by 1, 2
),

ordered as (
    select
        orders.*,
        coalesce(customers.segment, 'unknown') as segment,
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as month_start,
        -- A repurchase needs an earlier order: two orders at the same instant are not one.
        min(orders.ordered_at) over (partition by orders.customer_id) < orders.ordered_at as has_earlier_order
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
),

order_months as (
    select
        month_start,
        segment,
        count(*) as orders,
        sum(amount) as order_revenue,
        count(distinct customer_id) as ordering_customers,
        count(distinct case when has_earlier_order then customer_id end) as repurchasing_customers
    from ordered
    group by month_start, segment
),

keys as (
    select months.month_start, segments.segment
    from months
    cross join (
        select distinct coalesce(segment, 'unknown') as segment from customers
    ) as segments
),

joined as (
    select
        keys.month_start,
        keys.segment,
        cast(coalesce(customer_months.customers_at_start, 0) as bigint) as customers_at_start,
        cast(coalesce(customer_months.churned, 0) as bigint) as churned,
        cast(coalesce(new_customers.new_customers, 0) as bigint) as new_customers,
        cast(coalesce(customer_months.mrr_start, 0) as double precision) as mrr_start,
        cast(coalesce(customer_months.mrr_end, 0) as double precision) as mrr_end,
        cast(coalesce(changes.expansion_revenue, 0) as double precision) as expansion_revenue,
        cast(coalesce(changes.contraction_revenue, 0) as double precision) as contraction_revenue,
        cast(coalesce(order_months.orders, 0) as bigint) as orders,
        cast(coalesce(order_months.order_revenue, 0) as double precision) as order_revenue,
        cast(coalesce(order_months.ordering_customers, 0) as bigint) as ordering_customers,
        cast(coalesce(order_months.repurchasing_customers, 0) as bigint) as repurchasing_customers
    from keys
    left join customer_months
        on keys.month_start = customer_months.month_start and keys.segment = customer_months.segment
    left join new_customers
        on keys.month_start = new_customers.month_start and keys.segment = new_customers.segment
    left join changes
        on keys.month_start = changes.month_start and keys.segment = changes.segment
    left join order_months
        on keys.month_start = order_months.month_start and keys.segment = order_months.segment
),

final as (
    select
        *,
        {{ safe_ratio('churned', 'customers_at_start') }} as churn_rate,
        {{ safe_ratio('repurchasing_customers', 'ordering_customers') }} as repurchase_rate,
        {{ safe_ratio('mrr_start', 'customers_at_start') }} as revenue_per_customer,
        {{ safe_ratio(safe_ratio('mrr_start', 'customers_at_start'), safe_ratio('churned', 'customers_at_start')) }}
            as ltv
    from joined
)

select * from final
