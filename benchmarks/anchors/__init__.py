"""Reference workloads that vaxsim's speed is measured against (see ``README.md`` here)."""
