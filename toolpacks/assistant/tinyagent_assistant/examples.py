"""Hand-written in-context examples, hand-written training requests and the original's
tool-specific planner rules."""

from __future__ import annotations

from pathlib import Path

from tinyagent.jsonl import read_jsonl
from tinyagent.plugins import Example, PromptRule

EXAMPLES = [
    Example(
        "Text Maria that I'll be 10 minutes late",
        '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'ll be 10 minutes late")\n3. join()<END_OF_PLAN>',
    ),
    Example("What's Yuki's phone number?", '1. get_phone_number("Yuki")\n2. join()<END_OF_PLAN>'),
    Example("What is Lena Müller's email?", '1. get_email_address("Lena Müller")\n2. join()<END_OF_PLAN>'),
    Example(
        "Send a text to +1 415 555 0199 saying the package arrived",
        '1. send_sms(["+1 415 555 0199"], "The package arrived")\n2. join()<END_OF_PLAN>',
    ),
    Example(
        "Let Priya and Marcus know by text that dinner moved to 8pm",
        '1. get_phone_number("Priya")\n2. get_phone_number("Marcus")\n'
        '3. send_sms(["$1", "$2"], "Dinner moved to 8pm")\nThought: One SMS to both of them.\n4. join()<END_OF_PLAN>',
    ),
    Example(
        "Email budget_2027.xlsx to Marcus with the subject Budget",
        '1. get_email_address("Marcus")\n2. open_and_get_file_path("budget_2027.xlsx")\n'
        '3. compose_new_email(["$1"], [], "Budget", "Here is the budget.", ["$2"])\n4. join()<END_OF_PLAN>',
    ),
    Example(
        "Write an email to sam.okafor@example.com asking whether the demo is ready",
        '1. compose_new_email(["sam.okafor@example.com"], [], "Demo", "Is the demo ready?", [])\n'
        "2. join()<END_OF_PLAN>",
    ),
    Example(
        "Set up a Zoom meeting called Design Review with Eren on 2026-12-03 at 3pm and add it to my calendar",
        '1. get_email_address("Eren")\n'
        '2. get_zoom_meeting_link("Design Review", "2026-12-03 15:00:00", 60, ["$1"])\n'
        '3. create_calendar_event("Design Review", "2026-12-03 15:00:00", "2026-12-03 16:00:00", "", ["$1"], '
        '"$2", None)\n4. join()<END_OF_PLAN>',
    ),
    Example(
        "Put lunch with Aiko at Café Nero on my calendar for 2026-12-01 from 12:30 to 13:30",
        '1. get_email_address("Aiko")\n'
        '2. create_calendar_event("Lunch with Aiko", "2026-12-01 12:30:00", "2026-12-01 13:30:00", "Café Nero", '
        '["$1"], "", None)\n3. join()<END_OF_PLAN>',
    ),
    Example(
        "Summarize the file quarterly_report.pdf and save the summary in a note called Q3 summary",
        '1. open_and_get_file_path("quarterly_report.pdf")\n2. summarize_pdf("$1")\n'
        '3. create_note("Q3 summary", "$2", "")\n4. join()<END_OF_PLAN>',
    ),
    Example(
        "Open roadmap.key",
        '1. open_and_get_file_path("roadmap.key")\n2. join()<END_OF_PLAN>',
    ),
    Example(
        "Reply to this email saying I'll be there, and cc Omar",
        '1. get_email_address("Omar")\n2. reply_to_email(["$1"], "I\'ll be there.", [])\n3. join()<END_OF_PLAN>',
    ),
    Example(
        "Forward this email to Chen with the contract attached",
        '1. get_email_address("Chen")\n2. open_and_get_file_path("contract")\n'
        '3. forward_email(["$1"], [], "Please see the attached contract.", ["$2"])\n4. join()<END_OF_PLAN>',
    ),
    Example(
        "Show me the Louvre on the map",
        '1. maps_open_location("Louvre")\n2. join()<END_OF_PLAN>',
    ),
    Example(
        "How do I walk from Alexanderplatz to the Brandenburg Gate?",
        '1. maps_show_directions("Alexanderplatz", "Brandenburg Gate", "w")\n2. join()<END_OF_PLAN>',
    ),
    Example(
        "Directions to the airport by transit",
        '1. maps_show_directions("", "airport", "r")\n2. join()<END_OF_PLAN>',
    ),
    Example(
        "Make a note called Gift ideas with: a book for Dad",
        '1. create_note("Gift ideas", "a book for Dad", "")\n2. join()<END_OF_PLAN>',
    ),
    Example(
        "What's in my Trip ideas note?",
        '1. open_note("Trip ideas", "")\n2. join()<END_OF_PLAN>',
    ),
    Example(
        "Add oat milk to my groceries note",
        '1. append_note_content("Groceries", "oat milk", "")\n2. join()<END_OF_PLAN>',
    ),
    Example(
        "Remind me to call the dentist on 2026-11-26 at 9am",
        '1. create_reminder("Call the dentist", "2026-11-26 09:00:00", "", "", 0, False)\n2. join()<END_OF_PLAN>',
    ),
    Example(
        "Remind me to pay rent on 2026-12-01, high priority",
        '1. create_reminder("Pay rent", "2026-12-01 00:00:00", "", "", 1, True)\n2. join()<END_OF_PLAN>',
    ),
]

# Requests written by hand in the ways people ask, with their gold plans and when they were asked
# (rows of the natural dev set, benchmarks/natural, moved here to be trained on: never the locked
# set's). tinyagent retrain trains on them beside the generated requests.
HANDWRITTEN = [
    Example(row["query"], row["plan"], now=row["now"])
    for row in read_jsonl(Path(__file__).parent / "handwritten.jsonl", ("query", "now", "plan"))
]

RULES = [
    PromptRule(
        "Before sending an e-mail to someone, look up their address with get_email_address unless the user gave it.",
        ("get_email_address",),
    ),
    PromptRule(
        "Before sending an SMS, look up the phone number with get_phone_number unless the user gave it.",
        ("get_phone_number", "send_sms"),
    ),
    PromptRule("To text several people, send one SMS with all their numbers.", ("send_sms",)),
    PromptRule(
        "When the user asks for a Zoom or video meeting, create the link with get_zoom_meeting_link, inviting the "
        "people named; put it in a calendar event's notes only when asked for the calendar.",
        ("get_zoom_meeting_link",),
    ),
    PromptRule("There is no need to open a note before appending to it.", ("append_note_content",)),
    PromptRule("There is no need to open a location before showing directions to it.", ("maps_show_directions",)),
    PromptRule(
        "To attach or summarize a file, first get its path with open_and_get_file_path.",
        ("open_and_get_file_path",),
    ),
]
