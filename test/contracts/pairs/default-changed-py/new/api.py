def retry(times=5):
    return times
