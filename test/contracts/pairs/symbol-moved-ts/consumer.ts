import { parseDate } from "./api";

parseDate("2026-01-01");
