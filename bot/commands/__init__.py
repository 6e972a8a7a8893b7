"""One module per subcommand: its `HELP`, `add_arguments(parser)` and `async run(args)`.

Every `ozbot` call imports all of them to build its parser, so at the top they import only the
light core; `bot.app` and whatever pulls in LightGBM, scikit-learn, Redis, Telegram, Slack or
aiohttp is imported inside the function that needs it. `ozbot --help` and an error in the
settings (a missing token) so answer at once (tests/bot/test_cli.py checks the imports;
benchmarks/cli_startup.py measures it).
"""
