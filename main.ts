import { App } from 'cdk8s';
import { addExampleCharts } from './lib/examples';

// Entry point only: the charts live in lib/ so tests build them without writing dist/.
const app = new App();
addExampleCharts(app);
app.synth();
