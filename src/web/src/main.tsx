/**
 * Entry point. Checks the session, shows the sign-in page until someone is signed in, then
 * the header and whichever page the address asks for.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { SessionUser } from './api-types';
import { AppHeader } from './app-header';
import { ChangePasswordForm } from './change-password-form';
import { ConnectorIdPage } from './connector-id-page';
import { MachineListPage } from './machine-list-page';
import { MachinePage } from './machine-page';
import { NoticePage, unknownPage } from './notice-page';
import { SignInPage } from './sign-in-page';
import { type Route, useHashRoute } from './use-hash-route';
import { type Session, useSession } from './use-session';
import './styles/base.css';
import './styles/layout.css';
import './styles/forms.css';
import './styles/figures.css';

function App() {
  const session = useSession();
  const route = useHashRoute();
  const { state } = session;

  switch (state.kind) {
    case 'checking':
      return <p className="page-status">Loading…</p>;
    case 'unreachable':
      return (
        <main className="page narrow">
          <NoticePage title="Strata" isError retry={() => void session.refresh()}>
            {state.message}
          </NoticePage>
        </main>
      );
    case 'signed-out':
      return <SignInPage onSignedIn={session.signedIn} />;
    case 'signed-in':
      return (
        <>
          <AppHeader
            user={state.user}
            showPasswordBanner={state.user.mustChangePassword && route.page !== 'password'}
            onSignedOut={session.lost}
          />
          <main className="page">
            <RoutedPage route={route} user={state.user} session={session} />
          </main>
        </>
      );
  }
}

interface RoutedPageProps {
  route: Route;
  user: SessionUser;
  session: Session;
}

function RoutedPage({ route, user, session }: RoutedPageProps) {
  // The hub opens nothing else to a password someone else set, so neither does the app.
  if (user.mustChangePassword) route = { page: 'password' };
  switch (route.page) {
    case 'machines':
      return <MachineListPage onSessionLost={session.lost} />;
    case 'machine':
      return <MachinePage id={route.id} onSessionLost={session.lost} />;
    case 'connector-id':
      return (
        <ConnectorIdPage canChange={user.role === 'administrator'} onSessionLost={session.lost} />
      );
    case 'password':
      return (
        <ChangePasswordForm
          userName={user.name}
          mustChange={user.mustChangePassword}
          onChanged={() => void session.refresh()}
        />
      );
    case 'not-found':
      return unknownPage(route.path);
  }
}

const rootElement = document.getElementById('root');
if (rootElement === null) throw new Error('index.html has no element with id "root"');

createRoot(rootElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
