"""Proactive flows: messages the business starts (reminders, follow-ups), fired by durable timers within the rules."""
