{#- Customer-experience KPIs per site-local day, channel, queue or group, agent and contact reason
    (KPI_DEFINITIONS.md "Customer experience"; docs/cx_sources.md "Measures"). Contacts and their
    FCR and repeats count on the contact's day; a survey after a contact counts with its contact;
    relationship NPS on the day it was answered, channel `relationship`. Every ratio comes with its
    numerator and denominator. -#}
with

contacts as (
    select * from {{ ref('fct_contacts') }}
),

surveys as (
    select * from {{ ref('int_cx__survey_responses_scored') }}
),

sessions as (
    select * from {{ ref('stg_ivr__sessions') }}
),

menu_reasons as (
    select lower(cast(menu_key as varchar)) as menu_key, reason from {{ ref('ivr_menu_reasons') }}
),

session_counts as (
    -- Self-service: every IVR or bot session of the day, handed to an agent or not.
    select
        cast({{ to_site_local('sessions.started_at') }} as date) as report_date,
        sessions.session_kind as channel,
        cast(null as varchar) as queue_or_group,
        cast(null as varchar) as agent_id,
        coalesce(menu_reasons.reason, 'unknown') as contact_reason,
        count(*) as ivr_sessions,
        count(case when sessions.outcome = 'self_served' then 1 end) as ivr_self_served
    from sessions
    left join menu_reasons
        on sessions.first_menu_key = menu_reasons.menu_key
    group by 1, 2, 3, 4, 5
),

contact_counts as (
    select
        report_date, channel, queue_or_group, agent_id, contact_reason,
        count(*) as contacts,
        count(case when has_known_customer then 1 end) as contacts_known_customer,
        count(case when is_fcr then 1 end) as fcr_resolved,
        count(is_fcr) as fcr_measured,
        count(case when is_repeat_followed then 1 end) as repeat_followed,
        count(is_repeat_followed) as repeat_measured,
        count(case when is_transferred then 1 end) as transferred
    from contacts
    group by report_date, channel, queue_or_group, agent_id, contact_reason
),

placed_surveys as (
    select
        surveys.*,
        -- A survey whose contact is not among the contacts (an outbound ticket's, a call not
        -- loaded yet) counts on the day it was sent, under the channel the tool names.
        case when surveys.survey_type = 'rnps' then cast({{ to_site_local('surveys.answered_at') }} as date)
            else coalesce(contacts.report_date, cast({{ to_site_local('surveys.sent_at') }} as date)) end
            as report_date,
        case when surveys.survey_type = 'rnps' then 'relationship'
            else coalesce(contacts.channel, surveys.contact_channel, 'unknown') end as channel,
        contacts.queue_or_group,
        contacts.agent_id,
        contacts.contact_reason
    from surveys
    left join contacts
        on surveys.contact_id = contacts.contact_id
    where surveys.survey_type <> 'rnps' or surveys.is_answered
),

survey_counts as (
    select
        report_date, channel, queue_or_group, agent_id, contact_reason,
        count(case when survey_type <> 'rnps' then 1 end) as surveys_sent,
        count(case when survey_type <> 'rnps' and is_answered then 1 end) as surveys_answered,
        count(case when survey_type = 'csat' and is_answered then 1 end) as csat_answered,
        count(case when is_answered and is_csat_satisfied then 1 end) as csat_satisfied,
        sum(case when is_answered then csat_score_5pt end) as csat_score_5pt_sum,
        count(case when survey_type = 'tnps' and is_answered then 1 end) as tnps_answered,
        count(case when survey_type = 'tnps' and is_answered and nps_category = 'promoter' then 1 end) as tnps_promoters,
        count(case when survey_type = 'tnps' and is_answered and nps_category = 'detractor' then 1 end) as tnps_detractors,
        count(case when survey_type = 'rnps' and is_answered then 1 end) as rnps_answered,
        count(case when survey_type = 'rnps' and is_answered and nps_category = 'promoter' then 1 end) as rnps_promoters,
        count(case when survey_type = 'rnps' and is_answered and nps_category = 'detractor' then 1 end) as rnps_detractors,
        count(case when survey_type = 'ces' and is_answered then 1 end) as ces_answered,
        sum(case when is_answered then ces_score end) as ces_score_sum,
        count(case when is_answered and is_low_effort then 1 end) as ces_low_effort,
        count(case when is_answered and is_resolved_answer then 1 end) as resolved_yes,
        count(case when is_answered and not is_resolved_answer then 1 end) as resolved_no
    from placed_surveys
    group by report_date, channel, queue_or_group, agent_id, contact_reason
),

keys as (
    select report_date, channel, queue_or_group, agent_id, contact_reason from contact_counts
    union
    select report_date, channel, queue_or_group, agent_id, contact_reason from survey_counts
    union
    select report_date, channel, queue_or_group, agent_id, contact_reason from session_counts
),

joined as (
    select
        keys.report_date,
        keys.channel,
        keys.queue_or_group,
        keys.agent_id,
        keys.contact_reason,
        {% for column in ['contacts', 'contacts_known_customer', 'fcr_resolved', 'fcr_measured', 'repeat_followed',
                          'repeat_measured', 'transferred'] %}
        cast(coalesce(contact_counts.{{ column }}, 0) as bigint) as {{ column }},
        {% endfor %}
        {% for column in ['surveys_sent', 'surveys_answered', 'csat_answered', 'csat_satisfied', 'tnps_answered',
                          'tnps_promoters', 'tnps_detractors', 'rnps_answered', 'rnps_promoters', 'rnps_detractors',
                          'ces_answered', 'ces_low_effort', 'resolved_yes', 'resolved_no'] %}
        cast(coalesce(survey_counts.{{ column }}, 0) as bigint) as {{ column }},
        {% endfor %}
        cast(coalesce(session_counts.ivr_sessions, 0) as bigint) as ivr_sessions,
        cast(coalesce(session_counts.ivr_self_served, 0) as bigint) as ivr_self_served,
        cast(coalesce(survey_counts.csat_score_5pt_sum, 0) as double precision) as csat_score_5pt_sum,
        cast(coalesce(survey_counts.ces_score_sum, 0) as double precision) as ces_score_sum
    from keys
    left join contact_counts
        on keys.report_date = contact_counts.report_date
        and keys.channel = contact_counts.channel
        and {{ null_safe_equal('keys.queue_or_group', 'contact_counts.queue_or_group') }}
        and {{ null_safe_equal('keys.agent_id', 'contact_counts.agent_id') }}
        and {{ null_safe_equal('keys.contact_reason', 'contact_counts.contact_reason') }}
    left join survey_counts
        on {{ null_safe_equal('keys.report_date', 'survey_counts.report_date') }}
        and {{ null_safe_equal('keys.channel', 'survey_counts.channel') }}
        and {{ null_safe_equal('keys.queue_or_group', 'survey_counts.queue_or_group') }}
        and {{ null_safe_equal('keys.agent_id', 'survey_counts.agent_id') }}
        and {{ null_safe_equal('keys.contact_reason', 'survey_counts.contact_reason') }}
    left join session_counts
        on keys.report_date = session_counts.report_date
        and keys.channel = session_counts.channel
        and {{ null_safe_equal('keys.queue_or_group', 'session_counts.queue_or_group') }}
        and {{ null_safe_equal('keys.agent_id', 'session_counts.agent_id') }}
        and keys.contact_reason = session_counts.contact_reason
),

final as (
    select
        *,
        {{ safe_ratio('fcr_resolved', 'fcr_measured') }} as fcr,
        {{ safe_ratio('repeat_followed', 'repeat_measured') }} as repeat_contact_rate,
        {{ safe_ratio('transferred', 'contacts') }} as transfer_rate,
        {{ safe_ratio('ivr_self_served', 'ivr_sessions') }} as self_service_rate,
        {{ safe_ratio('csat_satisfied', 'csat_answered') }} as csat,
        {{ safe_ratio('csat_score_5pt_sum', 'csat_answered') }} as csat_mean_5pt,
        100 * {{ safe_ratio('tnps_promoters - tnps_detractors', 'tnps_answered') }} as tnps,
        100 * {{ safe_ratio('rnps_promoters - rnps_detractors', 'rnps_answered') }} as rnps,
        {{ safe_ratio('ces_score_sum', 'ces_answered') }} as ces_mean,
        {{ safe_ratio('ces_low_effort', 'ces_answered') }} as ces_low_effort_rate,
        {{ safe_ratio('surveys_answered', 'surveys_sent') }} as response_rate,
        {{ safe_ratio('resolved_yes', 'resolved_yes + resolved_no') }} as fcr_survey
    from joined
)

select * from final
