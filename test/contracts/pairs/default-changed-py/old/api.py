def retry(times=3):
    return times
