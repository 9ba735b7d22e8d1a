with

completed_loads as (
    select load_id from {{ source('telephony', '_dlt_loads') }}
    where status = 0
),

source as (
    select * from {{ source('telephony', 'quarantine') }}
    where _dlt_load_id in (select load_id from completed_loads)
),

final as (
    select
        source as source_name,
        source_file,
        line_number,
        raw_text,
        reason,
        quarantined_at,
        _dlt_load_id as dlt_load_id
    from source
)

select * from final
