"""Rasa's custom actions for ozbot: an action server over HTTP, and rasa-sdk's actions in
process. The vendor libraries (`aiohttp`, `rasa_sdk`) stay in this adapter package."""
