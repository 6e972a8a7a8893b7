"""This bot's custom actions: a class with a `name` and a `run` that returns events.

An action may import modules that sit beside this file (the bot's folder is on the import
path), and may call any API; this one only counts the orders of the conversation.
"""

from __future__ import annotations

from bot.actions import Dispatcher
from bot.domain import Domain
from bot.events import Event, SlotSet
from bot.tracker import Tracker


class ActionTakeOrder:
    name = "action_take_order"

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        drink = tracker.slots.get("drink")
        if not drink:
            dispatcher.utter_message("What would you like? Ask me for the menu if you like.")
            return []
        orders = [*(tracker.slots.get("orders") or []), drink]
        dispatcher.utter_message(f"One {drink}, coming up! That makes {len(orders)} so far.")
        return [SlotSet("orders", orders)]
