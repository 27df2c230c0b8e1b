import { connect } from "./api";

void connect({ timeout: 1 });
