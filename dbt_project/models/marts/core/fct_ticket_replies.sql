{#- One row per comment an agent wrote on a ticket after its opening message: public replies and
    internal notes, credited to the agent who wrote them (not to whoever is assigned the ticket
    then or now; D15, D16), with the ticket's group and assignee at that moment. -#}
with

comments as (
    select * from {{ ref('stg_zendesk__ticket_comments') }}
    where not is_opening_message
),

agents as (
    select user_id from {{ ref('int_zendesk__agents') }}
),

tickets as (
    select ticket_id, channel, first_reply_comment_id from {{ ref('fct_tickets') }}
),

history as (
    select * from {{ ref('int_zendesk__ticket_field_history') }}
    where field_name in ('group_id', 'assignee_id')
),

agent_comments as (
    select comments.*
    from comments
    inner join agents
        on comments.author_id = agents.user_id
),

state_then as (
    -- The group and assignee right after the audit that holds the comment.
    select
        agent_comments.comment_id,
        history.field_name,
        history.value,
        row_number() over (
            partition by agent_comments.comment_id, history.field_name
            order by history.valid_from desc, history.audit_id desc, history.change_seq desc
        ) as recency
    from agent_comments
    inner join history
        on agent_comments.ticket_id = history.ticket_id
        and (
            history.valid_from < agent_comments.commented_at
            or (history.valid_from = agent_comments.commented_at and history.audit_id <= agent_comments.audit_id)
        )
)

select
    agent_comments.comment_id,
    agent_comments.ticket_id,
    agent_comments.audit_id,
    agent_comments.commented_at,
    cast({{ to_site_local('agent_comments.commented_at') }} as date) as report_date,
    tickets.channel,
    agent_comments.author_id as agent_id,
    agent_comments.is_public,
    coalesce(agent_comments.comment_id = tickets.first_reply_comment_id, false) as is_first_reply,
    cast({{ safe_cast_number("max(case when state_then.field_name = 'group_id' then state_then.value end)") }}
        as bigint) as group_id,
    cast({{ safe_cast_number("max(case when state_then.field_name = 'assignee_id' then state_then.value end)") }}
        as bigint) as assignee_id
from agent_comments
inner join tickets
    on agent_comments.ticket_id = tickets.ticket_id
left join state_then
    on agent_comments.comment_id = state_then.comment_id
    and state_then.recency = 1
group by
    agent_comments.comment_id, agent_comments.ticket_id, agent_comments.audit_id, agent_comments.commented_at,
    agent_comments.author_id, agent_comments.is_public, tickets.channel, tickets.first_reply_comment_id
