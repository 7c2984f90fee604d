"""The ``vaxsim`` command line: :func:`sim.cli.main.main` and one module per subcommand."""
