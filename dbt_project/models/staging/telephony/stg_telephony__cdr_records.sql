with

source as (
    {{ completed_load_rows('telephony', 'cdr_records') }}
),

renamed as (
    select
        source_file,
        line_number,
        nullif(trim(uniqueid), '') as callid,
        nullif(trim(linkedid), '') as linked_callid,
        nullif(trim(lastapp), '') as last_application,
        nullif(trim(lastdata), '') as last_application_data,
        nullif(trim(channel), '') as channel,
        nullif(trim(dstchannel), '') as destination_channel,
        nullif(trim(dst), '') as destination,
        nullif(trim(dcontext), '') as destination_context,
        -- The caller's number, pseudonymized at ingestion (docs/cx_sources.md, "Privacy").
        nullif(trim(src), '') as caller_phone_hash,
        start_at,
        answer_at,
        end_at,
        duration_seconds,
        billsec_seconds,
        upper(trim(disposition)) as disposition,
        _dlt_load_id as dlt_load_id
    from source
),

derived as (
    select
        *,
        -- A Queue() leg names its queue first in the application data ("support,t,,,300").
        case
            when lower(last_application) = 'queue'
                then nullif(trim({{ dbt.split_part('last_application_data', "','", 1) }}), '')
        end as queue_name,
        -- PJSIP/1001-0000002a -> 1001: the device name of the answering agent's channel.
        case
            when destination_channel is not null
                then {{ dbt.split_part(dbt.split_part('destination_channel', "'/'", 2), "'-'", 1) }}
        end as agent_id
    from renamed
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by callid, channel, destination_channel, last_application_data, start_at,
                answer_at, end_at, billsec_seconds, disposition
            order by dlt_load_id, source_file, line_number
        ) as duplicate_rank
    from derived
),

final as (
    select
        -- A file name can come back with other content (the live queue_log after a rotation),
        -- so the load that read the line is part of its identity.
        source_file || ':' || cast(line_number as varchar) || '@' || dlt_load_id as cdr_record_id,
        source_file,
        line_number,
        callid,
        linked_callid,
        queue_name,
        agent_id,
        channel,
        destination_channel,
        destination,
        destination_context,
        caller_phone_hash,
        last_application,
        last_application_data,
        start_at,
        answer_at,
        end_at,
        duration_seconds,
        billsec_seconds,
        disposition,
        dlt_load_id
    from deduplicated
    where duplicate_rank = 1
)

select * from final
