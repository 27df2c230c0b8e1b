export class make {
  v = 1;
}
