with

source as (
    {{ completed_load_rows('telephony', 'quarantine') }}
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
