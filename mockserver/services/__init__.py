"""Use cases: take the store lock, load the tenant, call the domain, record what happened.

Services return domain objects; ``mockserver.api`` turns them into JSON.
"""
