def fetch_user(user_id: str) -> str:
    return user_id
