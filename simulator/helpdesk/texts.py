"""Subjects and message bodies: short, fictional, varied enough to look like a helpdesk.

Topics decide the routing (billing topics go to the Billing group) and the tags, the way a
Zendesk trigger would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

#: (tag, subject, first message, is a billing topic)
TOPICS: tuple[tuple[str, str, str, bool], ...] = (
    ("login", "Cannot log in to my account",
     "I have been trying to log in since this morning and keep getting an error.", False),
    ("password", "Password reset e-mail does not arrive",
     "I asked for a password reset twice but nothing arrived.", False),
    ("delivery", "Where is my order?",
     "My order was supposed to arrive two days ago. Can you check where it is?", False),
    ("damaged", "Item arrived damaged", "The package arrived today and the item inside is broken.", False),
    ("address", "Change of address", "I moved last week. Please update the delivery address on my account.", False),
    ("app", "App crashes on start", "Since the last update the app closes as soon as I open it.", False),
    ("sync", "Data not syncing between devices", "Changes I make on my phone do not show up on my laptop.", False),
    ("cancel", "Please cancel my subscription",
     "I would like to cancel my subscription at the end of this month.", False),
    ("upgrade", "Upgrade to the premium plan", "How do I upgrade to the premium plan, and what does it cost?", False),
    ("invoice", "Question about my invoice",
     "The amount on my last invoice is higher than expected. Can you explain?", True),
    ("refund", "Refund request", "I returned the item two weeks ago and have not received my refund yet.", True),
    ("payment", "Payment failed", "My card payment failed although the card is valid.", True),
    ("double_charge", "Charged twice", "I was charged twice for the same order.", True),
)

AGENT_REPLIES = (
    "Thanks for reaching out. I have looked into this and fixed it on our side.",
    "Thank you for your patience. I have passed this on and updated your account.",
    "I checked your account and everything looks correct now.",
    "Thanks for the details, I am looking into it right now.",
)
QUESTIONS = (
    "Could you send us your order number so that I can check?",
    "Could you tell us which device and app version you are using?",
    "Could you confirm the e-mail address on your account?",
    "Could you send a screenshot of the error message?",
)
SOLUTIONS = (
    "This is solved now. Let us know if anything else comes up.",
    "I have issued the correction; you will see it within a few days.",
    "The issue is fixed. Thanks for your patience.",
    "I am closing this request as we have not heard back. Just reply to open it again.",
)
HOLD_REPLIES = (
    "I have asked our logistics partner and will get back to you as soon as I hear from them.",
    "Our technical team is checking this; I will update you shortly.",
)
CUSTOMER_REPLIES = (
    "Thanks, here is the information you asked for.",
    "The order number is in the attachment of my first message.",
    "I tried that but it still does not work.",
    "Any news on this? I am still waiting.",
    "Thanks, that helps.",
)
CUSTOMER_REOPENS = (
    "Sorry, the problem is back.",
    "This is still not working for me.",
    "I still have not received anything.",
)
INTERNAL_NOTES = (
    "Checked the logs: the error matches a known issue.",
    "Customer is on the legacy plan; double-check the pricing.",
    "Verified the identity through the account e-mail.",
)
HANDOVER_NOTES = (
    "Handing over: I am out tomorrow.",
    "Reassigning to a colleague who knows this product better.",
)
CHAT_GREETINGS = (
    "Hi, thanks for contacting us! How can I help?",
    "Hello, I am here to help. Let me have a look.",
)
FOLLOW_UPS = ("I need to check this further and will follow up by e-mail.",)
GOOD_COMMENTS = ("Quick and friendly, thank you!", "Great help.", "Solved in no time.")
BAD_COMMENTS = ("Took far too long.", "The problem is not really solved.", "I had to explain everything twice.")


@dataclass(frozen=True)
class Texts:
    """Picks texts with the caller's random stream, so they are part of the deterministic run."""

    def topic(self, rng: random.Random, billing_share: float) -> tuple[str, str, str, bool]:
        billing = [t for t in TOPICS if t[3]]
        other = [t for t in TOPICS if not t[3]]
        return rng.choice(billing) if rng.random() < billing_share else rng.choice(other)

    def agent_reply(self, rng: random.Random) -> str:
        return rng.choice(AGENT_REPLIES)

    def question(self, rng: random.Random) -> str:
        return rng.choice(QUESTIONS)

    def solution(self, rng: random.Random) -> str:
        return rng.choice(SOLUTIONS)

    def hold_reply(self, rng: random.Random) -> str:
        return rng.choice(HOLD_REPLIES)

    def customer_reply(self, rng: random.Random) -> str:
        return rng.choice(CUSTOMER_REPLIES)

    def customer_reopen(self, rng: random.Random) -> str:
        return rng.choice(CUSTOMER_REOPENS)

    def internal_note(self, rng: random.Random) -> str:
        return rng.choice(INTERNAL_NOTES)

    def handover_note(self, rng: random.Random) -> str:
        return rng.choice(HANDOVER_NOTES)

    def escalation_note(self, rng: random.Random, group: str) -> str:
        return f"Escalating to {group}: {rng.choice(INTERNAL_NOTES).lower()}"

    def chat_greeting(self, rng: random.Random) -> str:
        return rng.choice(CHAT_GREETINGS)

    def follow_up(self, rng: random.Random) -> str:
        return rng.choice(FOLLOW_UPS)

    def rating_comment(self, rng: random.Random, score: str) -> str:
        return rng.choice(GOOD_COMMENTS if score == "good" else BAD_COMMENTS)

    def outbound(self, rng: random.Random) -> tuple[str, str, str]:
        """(tag, subject, first message) of a ticket an agent opens."""
        return rng.choice((
            ("proactive", "Your recent order", "We noticed a delay with your recent order and wanted to let you know."),
            ("proactive", "Follow-up on your call",
             "As promised on the phone, here is a summary of what we discussed."),
            ("proactive", "Action needed: confirm your details",
             "Please confirm your billing details so we can process your order."),
        ))
