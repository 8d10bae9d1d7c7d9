"""Local stand-ins for the services delivery talks to (an SMTP server, GOV.UK Notify), shared
by the tests and the benchmarks. Imports nothing of the project."""
