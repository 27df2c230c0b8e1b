import { Factory } from "./api";

Factory.create();
