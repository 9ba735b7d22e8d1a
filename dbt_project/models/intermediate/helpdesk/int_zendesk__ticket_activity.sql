{#- Per ticket, what its audits tell: who wrote first, public agent replies and internal notes,
    solves, and the instants the ticket metrics run to (KPI_DEFINITIONS.md; D16). -#}
with

tickets as (
    select ticket_id from {{ ref('stg_zendesk__tickets') }}
),

comments as (
    select * from {{ ref('stg_zendesk__ticket_comments') }}
),

agents as (
    select user_id from {{ ref('int_zendesk__agents') }}
),

history as (
    select * from {{ ref('int_zendesk__ticket_field_history') }}
),

classified_comments as (
    select
        comments.ticket_id,
        comments.comment_id,
        comments.author_id,
        comments.commented_at,
        comments.is_public,
        comments.is_opening_message,
        agents.user_id is not null as is_by_agent,
        row_number() over (
            partition by comments.ticket_id,
                agents.user_id is not null and comments.is_public and not comments.is_opening_message
            order by comments.commented_at, comments.audit_id, comments.comment_id
        ) as reply_order
    from comments
    left join agents
        on comments.author_id = agents.user_id
),

comment_summary as (
    select
        ticket_id,
        coalesce(bool_or(is_opening_message and is_by_agent), false) as is_outbound,
        count(case when is_by_agent and is_public and not is_opening_message then 1 end) as public_agent_replies,
        count(case when is_by_agent and not is_public and not is_opening_message then 1 end) as internal_notes,
        min(case when is_by_agent and is_public and not is_opening_message then commented_at end)
            as first_public_agent_reply_at,
        max(case when is_by_agent and is_public and not is_opening_message and reply_order = 1 then comment_id end)
            as first_public_agent_reply_id,
        max(case when is_by_agent and is_public and not is_opening_message and reply_order = 1 then author_id end)
            as first_public_agent_reply_author_id
    from classified_comments
    group by ticket_id
),

solves as (
    select
        ticket_id,
        count(*) as solves,
        min(valid_from) as first_solved_at,
        max(valid_from) as last_solved_at
    from history
    where field_name = 'status'
        and value = 'solved'
    group by ticket_id
)

select
    tickets.ticket_id,
    coalesce(comment_summary.is_outbound, false) as is_outbound,
    coalesce(comment_summary.public_agent_replies, 0) as public_agent_replies,
    coalesce(comment_summary.internal_notes, 0) as internal_notes,
    -- An agent who wrote first (outbound) is not replying: no first reply time (D16).
    case when not comment_summary.is_outbound then comment_summary.first_public_agent_reply_at end
        as first_reply_at,
    case when not comment_summary.is_outbound then comment_summary.first_public_agent_reply_id end
        as first_reply_comment_id,
    -- Credited to the agent who wrote it, not to the assignee.
    case when not comment_summary.is_outbound then comment_summary.first_public_agent_reply_author_id end
        as first_reply_agent_id,
    coalesce(solves.solves, 0) as solves,
    solves.first_solved_at,
    solves.last_solved_at
from tickets
left join comment_summary
    on tickets.ticket_id = comment_summary.ticket_id
left join solves
    on tickets.ticket_id = solves.ticket_id
